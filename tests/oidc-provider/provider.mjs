// A certified OpenID Connect provider for the single sign-on tests (tests/src/oidc.rs
// starts it): panva's oidc-provider with its development sign-in and consent pages (HTML
// forms: any password is accepted, the login name picks the person below), dynamic client
// registration (each test server registers its own client with its own redirect URI),
// PKCE required, and the profile claims in the ID token, as Keycloak and Entra ID send
// them.
//
// Usage: node provider.mjs PORT   (prints "listening on http://127.0.0.1:PORT")
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || process.env.PORT || 0);
const issuer = `http://127.0.0.1:${port}`;

// The test people: their groups decide their role in Augenmerk (the tests map
// "leitstelle" to dispatcher and "augenmerk-admins" to admin; "kantine" is mapped to
// nothing).
const people = {
  disponentin: { name: 'Maria Disponentin', groups: ['leitstelle', 'kantine'] },
  chefin: { name: 'Anna Chefin', groups: ['augenmerk-admins'] },
  koch: { name: 'Karl Koch', groups: ['kantine'] },
  namenlos: { name: 'Ohne Namen', groups: ['leitstelle'], noUsername: true },
};

const provider = new Provider(issuer, {
  clients: [],
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
  },
  pkce: { required: () => true },
  // The claims in the ID token itself (not only from the userinfo endpoint).
  conformIdTokenClaims: false,
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'groups'],
    email: ['email'],
  },
  // Every login name signs in; unknown ones get no groups.
  async findAccount(_ctx, id) {
    const person = people[id] ?? { name: id, groups: [] };
    return {
      accountId: id,
      async claims() {
        const claims = { sub: `sub-${id}`, name: person.name, groups: person.groups, email: `${id}@kreis.example` };
        if (!person.noUsername) claims.preferred_username = id;
        return claims;
      },
    };
  },
  // Short lived, as a test needs them.
  ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
});
// Loopback over plain HTTP: the provider must not insist on secure cookies.
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening on http://127.0.0.1:${address.port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
