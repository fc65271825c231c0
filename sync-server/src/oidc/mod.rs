//! Single sign-on through a municipality's OpenID Connect provider (issue 24): the
//! authorization code flow with PKCE, done by the `openidconnect` crate — discovery from
//! the issuer, the authorization URL with state, nonce and PKCE challenge, the code
//! exchange, and the ID token's validation (signature against the provider's keys,
//! issuer, audience, expiry, nonce). Nothing here checks a token by hand.
//!
//! The routes are in [`crate::routes::oidc`]; the decisions (allowed issuers, the login
//! name, group → role) are pure functions in [`augenmerk_domain::sso`].
//!
//! Key terms: an *attempt* is a sign-in sent to the provider, remembered under the hash
//! of its state until the person comes back (single use, [`ATTEMPT_MINUTES`]); a
//! *hand-over* is a finished sign-in, remembered under the hash of a one-time code that
//! the console exchanges for a session ([`HANDOVER_SECONDS`]), so that no session token
//! ever appears in a URL.

use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
    CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields, EndpointMaybeSet,
    EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    Scope, StandardErrorResponse, StandardTokenResponse,
};
use serde::{Deserialize, Serialize};

use augenmerk_domain::sso::SsoConfig;

/// How long a person may take at the provider's sign-in page.
pub const ATTEMPT_MINUTES: i64 = 10;
/// How long the console has to exchange its one-time code.
pub const HANDOVER_SECONDS: i64 = 60;
/// How long a request to the provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Every claim of the ID token beyond the standard ones (groups, roles, a provider's own
/// login-name claim): which claims matter is the municipality's setting.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, serde_json::Value>,
}

impl AdditionalClaims for OtherClaims {}

type IdFields = IdTokenFields<
    OtherClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// A client of one provider as discovered (authorization endpoint set, token endpoint
/// as the provider announces it).
type Client = openidconnect::Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    StandardTokenResponse<IdFields, CoreTokenType>,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a sign-in through the provider failed (logged; the person sees a short reason).
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The issuer could not be discovered or is not the one configured.
    #[error("the identity provider could not be reached or is not the configured issuer: {0}")]
    Discovery(String),
    /// The code exchange failed.
    #[error("the identity provider refused the code exchange: {0}")]
    Exchange(String),
    /// The ID token is missing or invalid (signature, issuer, audience, expiry, nonce).
    #[error("the ID token is invalid: {0}")]
    IdToken(String),
    /// Our own configuration (redirect URL, HTTP client).
    #[error("single sign-on is misconfigured: {0}")]
    Config(String),
}

/// What is kept of an attempt until the person comes back.
#[derive(Debug, Serialize, Deserialize)]
pub struct Attempt {
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE verifier for the code exchange.
    pub pkce_verifier: String,
    /// The issuer the attempt went to (a changed configuration in between is refused).
    pub issuer: String,
}

/// Who the provider says signed in.
#[derive(Debug)]
pub struct Identity {
    /// The issuer, as the validated ID token names it.
    pub issuer: String,
    /// The ID token's `sub`.
    pub subject: String,
    /// Every claim of the validated ID token.
    pub claims: serde_json::Value,
}

/// The HTTP client for providers: no redirects (the crate's advice against SSRF: a
/// provider's endpoints are what its discovery document says, not where they redirect).
fn http() -> Result<reqwest::Client, OidcError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(PROVIDER_TIMEOUT)
        .build()
        .map_err(|e| OidcError::Config(e.to_string()))
}

/// Discovers the provider (checking that it calls itself the configured issuer) and
/// makes a client with our redirect URL.
async fn client(config: &SsoConfig, redirect_url: &str, http: &reqwest::Client) -> Result<Client, OidcError> {
    let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|e| OidcError::Discovery(e.to_string()))?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| OidcError::Discovery(error_chain(&e)))?;
    let redirect = RedirectUrl::new(redirect_url.to_owned()).map_err(|e| OidcError::Config(e.to_string()))?;
    Ok(Client::from_provider_metadata(
        metadata,
        ClientId::new(config.client_id.clone()),
        config.client_secret.clone().map(ClientSecret::new),
    )
    .set_redirect_uri(redirect))
}

/// The provider's URL to send the person to, the state (the attempt's key) and what to
/// keep of the attempt.
pub async fn start(config: &SsoConfig, redirect_url: &str) -> Result<(String, String, Attempt), OidcError> {
    let http = http()?;
    let client = client(config, redirect_url, &http).await?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("profile".to_owned()))
        .add_scope(Scope::new("email".to_owned()))
        .set_pkce_challenge(challenge)
        .url();
    let attempt = Attempt {
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        issuer: config.issuer.clone(),
    };
    Ok((url.to_string(), state.secret().clone(), attempt))
}

/// Exchanges the code and validates the ID token against the attempt's nonce.
pub async fn finish(
    config: &SsoConfig,
    redirect_url: &str,
    attempt: Attempt,
    code: String,
) -> Result<Identity, OidcError> {
    let http = http()?;
    let client = client(config, redirect_url, &http).await?;
    let response = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|e| OidcError::Config(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(attempt.pkce_verifier))
        .request_async(&http)
        .await
        .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
    let id_token = response
        .extra_fields()
        .id_token()
        .ok_or_else(|| OidcError::IdToken("the token response has no ID token".to_owned()))?;
    let claims = id_token
        .claims(&client.id_token_verifier(), &Nonce::new(attempt.nonce))
        .map_err(|e| OidcError::IdToken(error_chain(&e)))?;
    Ok(Identity {
        issuer: claims.issuer().as_str().to_owned(),
        subject: claims.subject().as_str().to_owned(),
        claims: serde_json::to_value(claims).map_err(|e| OidcError::IdToken(e.to_string()))?,
    })
}

/// An error with its causes, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
