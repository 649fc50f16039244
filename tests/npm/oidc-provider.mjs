// A real OpenID Connect provider (panva's certified oidc-provider) for tests/test_sso.py.
//
// Usage: node oidc-provider.mjs CONFIG_JSON
//   CONFIG_JSON: {"client_id", "client_secret", "redirect_uri",
//                 "accounts": {"e-mail": email_verified, ...}}
// It listens on a free port of 127.0.0.1 and prints one line, "ready <issuer>",
// once it answers. The login is the provider's development form (devInteractions):
// the login typed is the account's id, which is its e-mail; any password passes.
// The test stops it by closing its stdin (or killing it).
import http from 'node:http';

import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2]);

function findAccount(ctx, id) {
  if (!Object.hasOwn(settings.accounts, id)) {
    return undefined;
  }
  return {
    accountId: id,
    claims: () => ({ sub: id, email: id, email_verified: settings.accounts[id] }),
  };
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: settings.client_id,
      client_secret: settings.client_secret,
      redirect_uris: [settings.redirect_uri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: true } },
    findAccount,
    // Fixed keys are fine here: the provider lives for one test run on loopback.
    cookies: { keys: ['relais-test-cookie-key'] },
  });
  server.on('request', provider.callback());
  process.stdout.write(`ready ${issuer}\n`);
});

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
