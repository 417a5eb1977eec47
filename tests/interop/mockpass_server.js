// MockPass (mock Singpass, @opengovsg/mockpass) bound to loopback only, restarted when it exits
// (an unknown authorization code makes it crash). Sandbox use in the interoperability tests.
// Usage: PORT=5156 SP_RP_JWKS_ENDPOINT=http://127.0.0.1:8000/ams/sg/proxy/jwks node mockpass_server.js
'use strict'
const { fork } = require('child_process')

if (process.env.MOCKPASS_CHILD === '1') {
  process.env.SHOW_LOGIN_PAGE = 'false'
  const { app } = require('@opengovsg/mockpass/app')
  const port = Number(process.env.PORT)
  app.listen(port, '127.0.0.1', () => console.log(`mockpass listening on 127.0.0.1:${port}`))
} else {
  let stopping = false
  let child = null
  const start = () => {
    child = fork(__filename, [], { env: { ...process.env, MOCKPASS_CHILD: '1' }, stdio: 'inherit' })
    child.on('exit', (code) => {
      if (!stopping) {
        console.error(`mockpass exited (${code}); restarting`)
        setTimeout(start, 100)
      }
    })
  }
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => {
      stopping = true
      if (child) child.kill('SIGTERM')
      process.exit(0)
    })
  }
  start()
}
