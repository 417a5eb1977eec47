// A FAPI 2.0 client we did not write (npm openid-client 6) signing in at our IdP or Connector:
// discovery, PAR with DPoP, private_key_jwt (ES256), PKCE S256, the `iss` response parameter, an ID
// token signed then encrypted to the client, DPoP-bound access token at the UserInfo endpoint.
// Two steps, the browser part in between is driven by the test:
//   node openid_client_fapi.mjs start   -> prints {"url": ...} and keeps its state in STATE_FILE
//   node openid_client_fapi.mjs finish  -> reads CALLBACK_URL, prints {"claims", "userinfo", ...}
// Env: ISSUER CLIENT_ID REDIRECT_URI SIG_JWK ENC_JWK STATE_FILE [CALLBACK_URL]. SANDBOX keys only.
import fs from 'node:fs'
import * as client from 'openid-client'

const env = process.env
const sigJwk = JSON.parse(env.SIG_JWK)
const encJwk = JSON.parse(env.ENC_JWK)

async function configuration() {
  const sig = await crypto.subtle.importKey('jwk', sigJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])
  const config = await client.discovery(
    new URL(env.ISSUER),
    env.CLIENT_ID,
    { redirect_uris: [env.REDIRECT_URI], id_token_signed_response_alg: 'ES256' },
    client.PrivateKeyJwt({ key: sig, kid: sigJwk.kid }),
    { execute: [client.allowInsecureRequests] },
  )
  const enc = await crypto.subtle.importKey('jwk', encJwk, { name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits'])
  client.enableDecryptingResponses(config, ['A256GCM'], { key: enc, kid: encJwk.kid, alg: 'ECDH-ES+A256KW' })
  return config
}

async function dpopKeys(saved) {
  const alg = { name: 'ECDSA', namedCurve: 'P-256' }
  return {
    privateKey: await crypto.subtle.importKey('jwk', saved.private, alg, true, ['sign']),
    publicKey: await crypto.subtle.importKey('jwk', saved.public, alg, true, ['verify']),
  }
}

async function start() {
  const config = await configuration()
  if (!config.serverMetadata().require_pushed_authorization_requests) throw new Error('provider does not require PAR')
  const keys = await client.randomDPoPKeyPair('ES256', { extractable: true })
  const DPoP = client.getDPoPHandle(config, keys)
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = await client.buildAuthorizationUrlWithPAR(
    config,
    {
      redirect_uri: env.REDIRECT_URI,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    },
    { DPoP },
  )
  const saved = {
    verifier, state, nonce,
    dpop: {
      private: await crypto.subtle.exportKey('jwk', keys.privateKey),
      public: await crypto.subtle.exportKey('jwk', keys.publicKey),
    },
  }
  fs.writeFileSync(env.STATE_FILE, JSON.stringify(saved))
  return { url: url.href }
}

async function finish() {
  const saved = JSON.parse(fs.readFileSync(env.STATE_FILE, 'utf8'))
  const config = await configuration()
  const DPoP = client.getDPoPHandle(config, await dpopKeys(saved.dpop))
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(env.CALLBACK_URL),
    { pkceCodeVerifier: saved.verifier, expectedState: saved.state, expectedNonce: saved.nonce, idTokenExpected: true },
    undefined,
    { DPoP },
  )
  const claims = tokens.claims()
  const encrypted = client.getDecryptedResponses(tokens)
  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP })
  return { claims, userinfo, token_type: tokens.token_type, id_token_was_encrypted: Boolean(encrypted?.id_token) }
}

const step = process.argv[2] === 'finish' ? finish : start
step().then(
  (out) => { process.stdout.write(JSON.stringify(out)) },
  (err) => { process.stderr.write(`${err.name}: ${err.message} ${err.code || ''} ${JSON.stringify(err.error || err.cause || '')}\n`); process.exit(1) },
)
