//! Staff accounts and sessions, citizen devices, API keys and photo metadata.
//!
//! Platform admins belong to no municipality: their `ags` column is NULL, and login
//! names are unique per municipality with the platform admins as one more namespace
//! (the unique index is on `(coalesce(ags, ''), username)`). [`StaffUser::municipality`]
//! is not optional, so a platform admin is read back with the placeholder
//! [`PLATFORM_AGS`].

use chrono::{DateTime, Utc};
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;
use tokio_postgres::error::SqlState;

use augenmerk_domain::staff::{ApiKeyInfo, Role, StaffUser};
use augenmerk_domain::{Ags, ApiKeyId, BlobHash, DeviceId, UserId};

use super::codec::{
    bad, duplicate_as, found, get_id, get_id_opt, get_json, get_ts, get_ts_opt, is_unique_violation, json, parsed,
    text, text_opt, ts, uint,
};
use crate::sqlite::PLATFORM_AGS;
use crate::{BlobRecord, Credentials, StoreError, StoreResult};

/// The `ags` column of an account: NULL for platform admins.
fn ags_column(user: &StaffUser) -> Option<&str> {
    (user.role != Role::PlatformAdmin).then(|| user.municipality.as_str())
}

const USER_COLUMNS: &str = "id, ags, username, display_name, role, department, active, email, mail_prefs";

fn user_from_row(row: &Row) -> StoreResult<StaffUser> {
    let municipality = match get_id_opt::<Ags>(row, "ags")? {
        Some(ags) => ags,
        None => PLATFORM_AGS.parse().map_err(|e| bad("ags", e))?,
    };
    Ok(StaffUser {
        id: get_id(row, "id")?,
        municipality,
        username: text(row, "username")?,
        display_name: text(row, "display_name")?,
        role: parsed(row, "role", |s| Role::parse(s).ok_or("unknown role"))?,
        department: get_id_opt(row, "department")?,
        active: row.try_get("active")?,
        email: text_opt(row, "email")?,
        mail: get_json(row, "mail_prefs")?,
    })
}

/// Creates an account; `Duplicate` if the id or the login name is taken.
pub(crate) async fn create_user(tx: &Transaction<'_>, user: &StaffUser, password_hash: &str) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO users (id, ags, username, display_name, role, department, active, password_hash, email,
             mail_prefs)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &user.id.to_string(),
            &ags_column(user),
            &user.username,
            &user.display_name,
            &user.role.as_str(),
            &user.department.as_ref().map(|d| d.as_str()),
            &user.active,
            &password_hash,
            &user.email,
            &json(&user.mail)?,
        ],
    )
    .await
    .map_err(duplicate_as("username"))?;
    Ok(())
}

/// An account with its password hash, by login name (`ags` none: platform admins).
pub(crate) async fn get_credentials(
    c: &impl GenericClient,
    ags: Option<&Ags>,
    username: &str,
) -> StoreResult<Credentials> {
    // `coalesce(ags, '')` is the expression of the unique index, so this is an index lookup.
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE coalesce(ags, '') = $1 AND username = $2"
        ))
        .await?;
    let row = found(
        c.query_opt(&stmt, &[&ags.map_or("", |a| a.as_str()), &username])
            .await?,
    )?;
    Ok(Credentials {
        user: user_from_row(&row)?,
        password_hash: text(&row, "password_hash")?,
    })
}

/// One account of a municipality.
pub(crate) async fn get_user(c: &impl GenericClient, ags: &Ags, id: &UserId) -> StoreResult<StaffUser> {
    let stmt = c
        .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND ags = $2"))
        .await?;
    let row = c.query_opt(&stmt, &[&id.to_string(), &ags.as_str()]).await?;
    user_from_row(&found(row)?)
}

/// All accounts of a municipality, by login name.
pub(crate) async fn list_users(c: &impl GenericClient, ags: &Ags) -> StoreResult<Vec<StaffUser>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE ags = $1 ORDER BY username"
        ))
        .await?;
    let rows = c.query(&stmt, &[&ags.as_str()]).await?;
    rows.iter().map(user_from_row).collect()
}

/// Updates an account of the same municipality (and its password hash when given); a new
/// password or disabling the account ends all its sessions.
pub(crate) async fn update_user(
    tx: &Transaction<'_>,
    user: &StaffUser,
    password_hash: Option<&str>,
) -> StoreResult<()> {
    // `IS NOT DISTINCT FROM` also matches NULL = NULL (platform admins); an account cannot
    // move between municipalities, so a mismatch is NotFound.
    let n = tx
        .execute(
            "UPDATE users SET username = $3, display_name = $4, role = $5, department = $6, active = $7,
                 password_hash = coalesce($8, password_hash), email = $9, mail_prefs = $10
             WHERE id = $1 AND ags IS NOT DISTINCT FROM $2",
            &[
                &user.id.to_string(),
                &ags_column(user),
                &user.username,
                &user.display_name,
                &user.role.as_str(),
                &user.department.as_ref().map(|d| d.as_str()),
                &user.active,
                &password_hash,
                &user.email,
                &json(&user.mail)?,
            ],
        )
        .await
        .map_err(duplicate_as("username"))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if password_hash.is_some() || !user.active {
        // A new password or a disabled account ends every session of the account, in the
        // same transaction: whoever knew the old password (or had a token) is out at once,
        // and re-enabling the account later does not bring old tokens back.
        tx.execute("DELETE FROM sessions WHERE user_id = $1", &[&user.id.to_string()])
            .await?;
    }
    Ok(())
}

/// Stores a session, and forgets sessions that have expired.
pub(crate) async fn create_session(
    tx: &Transaction<'_>,
    token_hash: &str,
    user: &UserId,
    expires_at: &DateTime<Utc>,
) -> StoreResult<()> {
    // Cleaning up here keeps the table small without a background job; the index on
    // expires_at makes it cheap. Rows another instance is cleaning up at the same moment
    // are skipped, not waited for (two cleanups could otherwise deadlock).
    tx.execute(
        "DELETE FROM sessions WHERE token_hash IN
             (SELECT token_hash FROM sessions WHERE expires_at <= $1 FOR UPDATE SKIP LOCKED)",
        &[&ts(&Utc::now())],
    )
    .await?;
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
        &[&token_hash, &user.to_string(), &ts(expires_at)],
    )
    .await
    .map_err(|e| {
        if is_unique_violation(&e) {
            StoreError::Duplicate("session".into())
        } else if e.code() == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
            // The only foreign key: the user does not exist.
            StoreError::NotFound
        } else {
            e.into()
        }
    })?;
    Ok(())
}

/// The active account behind a session that has not expired at `now`.
pub(crate) async fn get_session(
    c: &impl GenericClient,
    token_hash: &str,
    now: &DateTime<Utc>,
) -> StoreResult<StaffUser> {
    let stmt = c
        .prepare_cached(
            "SELECT u.id, u.ags, u.username, u.display_name, u.role, u.department, u.active, u.email, u.mail_prefs
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active",
        )
        .await?;
    let row = c.query_opt(&stmt, &[&token_hash, &ts(now)]).await?;
    user_from_row(&found(row)?)
}

/// Ends a session (a no-op if it does not exist: logging out twice is fine).
pub(crate) async fn delete_session(tx: &Transaction<'_>, token_hash: &str) -> StoreResult<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash])
        .await?;
    Ok(())
}

/// Registers a device; `Duplicate` if the id or token hash is taken.
pub(crate) async fn create_device(
    tx: &Transaction<'_>,
    id: &DeviceId,
    token_hash: &str,
    platform: Option<&str>,
    app_version: Option<&str>,
) -> StoreResult<()> {
    // Registering counts as being seen: the inactivity period starts now.
    tx.execute(
        "INSERT INTO devices (id, token_hash, platform, app_version, created_at, last_seen_at)
         VALUES ($1, $2, $3, $4, $5, $5)",
        &[&id.to_string(), &token_hash, &platform, &app_version, &ts(&Utc::now())],
    )
    .await
    .map_err(duplicate_as("device"))?;
    Ok(())
}

/// The device behind a token hash.
pub(crate) async fn get_device(c: &impl GenericClient, token_hash: &str) -> StoreResult<DeviceId> {
    let stmt = c.prepare_cached("SELECT id FROM devices WHERE token_hash = $1").await?;
    let row = c.query_opt(&stmt, &[&token_hash]).await?;
    get_id(&found(row)?, "id")
}

/// Records a photo's metadata; the same hash again is a no-op.
pub(crate) async fn put_blob(tx: &Transaction<'_>, blob: &BlobRecord) -> StoreResult<()> {
    let size = i64::try_from(blob.size).map_err(|_| StoreError::Database("blob size out of range".into()))?;
    tx.execute(
        "INSERT INTO blobs (hash, size, content_type, width, height, created_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (hash) DO NOTHING",
        &[
            &blob.hash.as_str(),
            &size,
            &blob.content_type,
            &i64::from(blob.width),
            &i64::from(blob.height),
            &ts(&Utc::now()),
        ],
    )
    .await?;
    Ok(())
}

/// A pixel dimension as stored (`bigint`).
fn pixels(row: &Row, column: &str) -> StoreResult<u32> {
    let n: i64 = row.try_get(column)?;
    u32::try_from(n).map_err(|e| bad(column, e))
}

/// A photo's metadata.
pub(crate) async fn get_blob(c: &impl GenericClient, hash: &BlobHash) -> StoreResult<BlobRecord> {
    let stmt = c
        .prepare_cached("SELECT hash, size, content_type, width, height FROM blobs WHERE hash = $1")
        .await?;
    let row = found(c.query_opt(&stmt, &[&hash.as_str()]).await?)?;
    Ok(BlobRecord {
        hash: parsed(&row, "hash", BlobHash::parse)?,
        size: uint(&row, "size")?,
        content_type: text(&row, "content_type")?,
        width: pixels(&row, "width")?,
        height: pixels(&row, "height")?,
    })
}

/// The hashes that are not stored, in the order given, each once.
pub(crate) async fn missing_blobs(c: &impl GenericClient, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
    let wanted: Vec<String> = hashes.iter().map(|h| h.as_str().to_owned()).collect();
    let stmt = c.prepare_cached("SELECT hash FROM blobs WHERE hash = ANY($1)").await?;
    let stored: Vec<String> = c
        .query(&stmt, &[&wanted])
        .await?
        .iter()
        .map(|row| text(row, "hash"))
        .collect::<StoreResult<_>>()?;
    let mut missing: Vec<BlobHash> = Vec::new();
    for h in hashes {
        if !missing.contains(h) && !stored.iter().any(|s| s == h.as_str()) {
            missing.push(h.clone());
        }
    }
    Ok(missing)
}

const API_KEY_COLUMNS: &str = "id, ags, name, media_hosts, created_at, revoked_at";

fn api_key_from_row(row: &Row) -> StoreResult<ApiKeyInfo> {
    let hosts: &str = row.try_get("media_hosts")?;
    Ok(ApiKeyInfo {
        id: get_id(row, "id")?,
        municipality: get_id(row, "ags")?,
        name: text(row, "name")?,
        // As in SQLite: a key whose host list does not parse allows no media hosts.
        media_hosts: serde_json::from_str(hosts).unwrap_or_default(),
        created_at: get_ts(row, "created_at")?,
        revoked_at: get_ts_opt(row, "revoked_at")?,
    })
}

/// Issues an API key (its hash); `Duplicate` if the hash exists.
pub(crate) async fn create_api_key(tx: &Transaction<'_>, key: &ApiKeyInfo, key_hash: &str) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO api_keys (id, ags, name, key_hash, media_hosts, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &key.id.to_string(),
            &key.municipality.as_str(),
            &key.name,
            &key_hash,
            &json(&key.media_hosts)?,
            &ts(&key.created_at),
        ],
    )
    .await
    .map_err(duplicate_as("api key"))?;
    Ok(())
}

/// The key with this hash, if it is not revoked.
pub(crate) async fn get_api_key(c: &impl GenericClient, key_hash: &str) -> StoreResult<ApiKeyInfo> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL"
        ))
        .await?;
    let row = c.query_opt(&stmt, &[&key_hash]).await?;
    api_key_from_row(&found(row)?)
}

/// The keys of a municipality, newest first (revoked ones included).
pub(crate) async fn list_api_keys(c: &impl GenericClient, ags: &Ags) -> StoreResult<Vec<ApiKeyInfo>> {
    let stmt = c
        .prepare_cached(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE ags = $1 ORDER BY created_at DESC, id"
        ))
        .await?;
    let rows = c.query(&stmt, &[&ags.as_str()]).await?;
    rows.iter().map(api_key_from_row).collect()
}

/// Replaces the allowed photo hosts of a key of a municipality; `NotFound` for another
/// municipality's key.
pub(crate) async fn set_api_key_hosts(
    tx: &Transaction<'_>,
    ags: &Ags,
    id: &ApiKeyId,
    hosts: &[String],
) -> StoreResult<ApiKeyInfo> {
    let hosts = serde_json::to_string(hosts).map_err(|e| StoreError::Database(e.to_string()))?;
    let row = tx
        .query_opt(
            &format!("UPDATE api_keys SET media_hosts = $3 WHERE id = $1 AND ags = $2 RETURNING {API_KEY_COLUMNS}"),
            &[&id.to_string(), &ags.as_str(), &hosts],
        )
        .await?;
    api_key_from_row(&found(row)?)
}

/// Revokes a key of a municipality; `NotFound` for another municipality's key.
pub(crate) async fn revoke_api_key(
    tx: &Transaction<'_>,
    ags: &Ags,
    id: &ApiKeyId,
    at: &DateTime<Utc>,
) -> StoreResult<()> {
    let n = tx
        .execute(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3) WHERE id = $1 AND ags = $2",
            &[&id.to_string(), &ags.as_str(), &ts(at)],
        )
        .await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
