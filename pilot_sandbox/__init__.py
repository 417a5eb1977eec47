"""The two-AMS mutual-recognition pilot sandbox (Work Plan B.2.1 activity 4)."""
