// A certified OpenID provider (npm oidc-provider 9) standing in for a national IdP that speaks the
// eIDAS acr URIs. Loopback only; sandbox accounts; login and consent are completed automatically for
// the account named by the X-Peer-User header (default amir.hamzah).
// With FAPI=1 it runs the FAPI 2.0 Security Profile: pushed authorization requests required,
// DPoP-bound access tokens (with server nonces), ID tokens encrypted to the client's key.
// Usage: PORT=.. CLIENT_ID=.. REDIRECT_URI=.. CLIENT_JWKS_URI=.. [FAPI=1] node oidc_provider_server.mjs
import crypto from 'node:crypto'
import http from 'node:http'
import Provider from 'oidc-provider'

const port = Number(process.env.PORT)
const issuer = `http://127.0.0.1:${port}`
const LOW = 'http://eidas.europa.eu/LoA/low'
const SUBSTANTIAL = 'http://eidas.europa.eu/LoA/substantial'
const HIGH = 'http://eidas.europa.eu/LoA/high'

const accounts = {
  'amir.hamzah': { given_name: 'Amir', family_name: 'Hamzah', birthdate: '1986-08-31', acr: SUBSTANTIAL },
  'mei.chen': { given_name: 'Mei', family_name: 'Chen', birthdate: '1979-02-11', acr: HIGH },
  'low.only': { given_name: 'Lo', family_name: 'Wen', birthdate: '1999-12-01', acr: LOW },
}

const fapi = process.env.FAPI === '1'
const signing = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' })

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    redirect_uris: [process.env.REDIRECT_URI],
    jwks_uri: process.env.CLIENT_JWKS_URI,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    id_token_signed_response_alg: 'ES256',
    grant_types: ['authorization_code'],
    response_types: ['code'],
    ...(fapi ? {
      dpop_bound_access_tokens: true,
      id_token_encrypted_response_alg: 'ECDH-ES+A256KW',
      id_token_encrypted_response_enc: 'A256GCM',
    } : {}),
  }],
  jwks: { keys: [{ ...signing, kid: 'peer-sandbox-es256', use: 'sig', alg: 'ES256' }] },
  acrValues: [LOW, SUBSTANTIAL, HIGH],
  enabledJWA: {
    idTokenEncryptionAlgValues: ['ECDH-ES+A256KW', 'ECDH-ES'],
    idTokenEncryptionEncValues: ['A256GCM'],
    dPoPSigningAlgValues: ['ES256', 'PS256'],
  },
  claims: { openid: ['sub'], profile: ['given_name', 'family_name', 'birthdate'] },
  conformIdTokenClaims: false,
  features: {
    devInteractions: { enabled: false },
    claimsParameter: { enabled: true },
    ...(fapi ? {
      fapi: { enabled: true, profile: '2.0' },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      dPoP: { enabled: true, nonceSecret: crypto.randomBytes(32) },
      encryption: { enabled: true },
    } : {}),
  },
  pkce: { required: () => true },
  // the sandbox runs on loopback only: let the provider fetch the client's jwks_uri from 127.0.0.1
  // (its default outgoing-request guard refuses special-use addresses such as loopback)
  fetch: (url, options) => {
    const { dispatcher, ...rest } = options
    return globalThis.fetch(url, rest)
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const a = accounts[id]
    if (!a) return undefined
    return {
      accountId: id,
      async claims() {
        return { sub: id, given_name: a.given_name, family_name: a.family_name, birthdate: a.birthdate }
      },
    }
  },
})

for (const event of ['grant.error', 'server_error', 'authorization.error']) {
  provider.on(event, (ctx, err) => console.error(event, err.error_description || '', err.error_detail || '', err.cause ? `${err.cause.error_description} ${err.cause.cause}` : ''))
}

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res)
  const user = req.headers['x-peer-user'] || 'amir.hamzah'
  if (details.prompt.name === 'login') {
    const account = accounts[user]
    if (!account) {
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: `no account ${user}` })
    }
    // the account authenticates at its own level; if that is not one of the essential acr values,
    // the authentication requirements cannot be met
    let wanted = []
    try {
      wanted = JSON.parse(details.params.claims || '{}')?.id_token?.acr?.values || []
    } catch {
      wanted = []
    }
    if (wanted.length && !wanted.includes(account.acr)) {
      return provider.interactionFinished(req, res, {
        error: 'unmet_authentication_requirements',
        error_description: `${user} authenticates at ${account.acr}, not at ${wanted.join(' or ')}`,
      })
    }
    return provider.interactionFinished(req, res, { login: { accountId: user, acr: account.acr } }, { mergeWithLastSubmission: false })
  }
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id })
  const missing = details.prompt.details
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
  const grantId = await grant.save()
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
}

const callback = provider.callback()
http.createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      res.statusCode = 500
      res.end(String(err))
    })
    return
  }
  callback(req, res)
}).listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`))
