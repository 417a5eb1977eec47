from eauth_toolkit.cli import main

main()
