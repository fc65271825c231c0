//! Staff accounts and sessions, citizen devices, and photo metadata.
//!
//! Platform admins belong to no municipality: their `ags` column is NULL, and login
//! names are unique per municipality with the platform admins as one more namespace.
//! [`StaffUser::municipality`] is not optional, so a platform admin is read back with
//! the placeholder [`PLATFORM_AGS`].

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use augenmerk_domain::staff::{ApiKeyInfo, Role, StaffUser};
use augenmerk_domain::{Ags, ApiKeyId, BlobHash, DeviceId, UserId};

use super::codec::{duplicate_as, get_id, get_id_opt, get_json, get_ts, get_ts_opt, json, parsed, ts};
use crate::{BlobRecord, Credentials, StoreError, StoreResult};

/// The municipality reported for platform admins, who belong to none (no real AGS is all zeros).
pub const PLATFORM_AGS: &str = "00000000";

/// The `ags` column of an account: NULL for platform admins.
fn ags_column(user: &StaffUser) -> Option<&str> {
    (user.role != Role::PlatformAdmin).then(|| user.municipality.as_str())
}

const USER_COLUMNS: &str = "id, ags, username, display_name, role, department, active, email, mail_prefs";

fn user_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<StaffUser> {
    let municipality = match get_id_opt::<Ags>(row, "ags")? {
        Some(ags) => ags,
        None => PLATFORM_AGS
            .parse()
            .map_err(|e| rusqlite::Error::UserFunctionError(Box::new(e)))?,
    };
    Ok(StaffUser {
        id: get_id(row, "id")?,
        municipality,
        username: row.get("username")?,
        display_name: row.get("display_name")?,
        role: parsed(row, "role", |s| Role::parse(s).ok_or("unknown role"))?,
        department: get_id_opt(row, "department")?,
        active: row.get("active")?,
        email: row.get("email")?,
        mail: get_json(row, "mail_prefs")?,
    })
}

/// Creates an account; `Duplicate` if the id or the login name is taken.
pub(crate) fn create_user(conn: &Connection, user: &StaffUser, password_hash: &str) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO users (id, ags, username, display_name, role, department, active, password_hash, email,
             mail_prefs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        user.id.to_string(),
        ags_column(user),
        user.username,
        user.display_name,
        user.role.as_str(),
        user.department.as_ref().map(|d| d.as_str()),
        user.active,
        password_hash,
        user.email,
        json(&user.mail)?,
    ])
    .map_err(duplicate_as("username"))?;
    Ok(())
}

/// An account with its password hash, by login name (`ags` none: platform admins).
pub(crate) fn get_credentials(conn: &Connection, ags: Option<&Ags>, username: &str) -> StoreResult<Credentials> {
    // `coalesce(ags, '')` is the expression of the unique index, so this is an index lookup.
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE coalesce(ags, '') = ?1 AND username = ?2"
        ))?
        .query_row(params![ags.map_or("", |a| a.as_str()), username], |row| {
            Ok(Credentials {
                user: user_from_row(row)?,
                password_hash: row.get("password_hash")?,
            })
        })?)
}

/// One account of a municipality.
pub(crate) fn get_user(conn: &Connection, ags: &Ags, id: &UserId) -> StoreResult<StaffUser> {
    Ok(conn
        .prepare_cached(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1 AND ags = ?2"))?
        .query_row([id.to_string(), ags.as_str().to_owned()], user_from_row)?)
}

/// All accounts of a municipality, by login name.
pub(crate) fn list_users(conn: &Connection, ags: &Ags) -> StoreResult<Vec<StaffUser>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE ags = ?1 ORDER BY username"
    ))?;
    let rows = stmt.query_map([ags.as_str()], user_from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Updates an account of the same municipality (and its password hash when given); a new
/// password or disabling the account ends all its sessions.
pub(crate) fn update_user(conn: &Connection, user: &StaffUser, password_hash: Option<&str>) -> StoreResult<()> {
    // `ags IS ?` also matches NULL = NULL (platform admins); an account cannot move
    // between municipalities, so a mismatch is NotFound.
    let n = conn
        .prepare_cached(
            "UPDATE users SET username = ?3, display_name = ?4, role = ?5, department = ?6, active = ?7,
                 password_hash = coalesce(?8, password_hash), email = ?9, mail_prefs = ?10
             WHERE id = ?1 AND ags IS ?2",
        )?
        .execute(params![
            user.id.to_string(),
            ags_column(user),
            user.username,
            user.display_name,
            user.role.as_str(),
            user.department.as_ref().map(|d| d.as_str()),
            user.active,
            password_hash,
            user.email,
            json(&user.mail)?,
        ])
        .map_err(duplicate_as("username"))?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    if password_hash.is_some() || !user.active {
        // A new password or a disabled account ends every session of the account, in the
        // same transaction: whoever knew the old password (or had a token) is out at once,
        // and re-enabling the account later does not bring old tokens back.
        conn.prepare_cached("DELETE FROM sessions WHERE user_id = ?1")?
            .execute([user.id.to_string()])?;
    }
    Ok(())
}

/// Stores a session, and forgets sessions that have expired.
pub(crate) fn create_session(
    conn: &Connection,
    token_hash: &str,
    user: &UserId,
    expires_at: &DateTime<Utc>,
) -> StoreResult<()> {
    // Cleaning up here keeps the table small without a background job; the index on
    // expires_at makes it cheap.
    conn.prepare_cached("DELETE FROM sessions WHERE expires_at <= ?1")?
        .execute([ts(&Utc::now())])?;
    conn.prepare_cached("INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?1, ?2, ?3)")?
        .execute(params![token_hash, user.to_string(), ts(expires_at)])
        .map_err(|e| match e {
            e if super::codec::is_unique_violation(&e) => StoreError::Duplicate("session".into()),
            // The only foreign key: the user does not exist.
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation => {
                StoreError::NotFound
            }
            e => e.into(),
        })?;
    Ok(())
}

/// The active account behind a session that has not expired at `now`.
pub(crate) fn get_session(conn: &Connection, token_hash: &str, now: &DateTime<Utc>) -> StoreResult<StaffUser> {
    Ok(conn
        .prepare_cached(
            "SELECT u.id, u.ags, u.username, u.display_name, u.role, u.department, u.active, u.email, u.mail_prefs
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active",
        )?
        .query_row([token_hash.to_owned(), ts(now)], user_from_row)?)
}

/// Ends a session (a no-op if it does not exist: logging out twice is fine).
pub(crate) fn delete_session(conn: &Connection, token_hash: &str) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM sessions WHERE token_hash = ?1")?
        .execute([token_hash])?;
    Ok(())
}

/// Registers a device; `Duplicate` if the id or token hash is taken.
pub(crate) fn create_device(
    conn: &Connection,
    id: &DeviceId,
    token_hash: &str,
    platform: Option<&str>,
    app_version: Option<&str>,
) -> StoreResult<()> {
    // Registering counts as being seen: the inactivity period starts now.
    conn.prepare_cached(
        "INSERT INTO devices (id, token_hash, platform, app_version, created_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
    )?
    .execute(params![
        id.to_string(),
        token_hash,
        platform,
        app_version,
        ts(&Utc::now())
    ])
    .map_err(duplicate_as("device"))?;
    Ok(())
}

/// The device behind a token hash.
pub(crate) fn get_device(conn: &Connection, token_hash: &str) -> StoreResult<DeviceId> {
    Ok(conn
        .prepare_cached("SELECT id FROM devices WHERE token_hash = ?1")?
        .query_row([token_hash], |row| get_id(row, "id"))?)
}

/// Records a photo's metadata; the same hash again is a no-op.
pub(crate) fn put_blob(conn: &Connection, blob: &BlobRecord) -> StoreResult<()> {
    let size = i64::try_from(blob.size).map_err(|_| StoreError::Database("blob size out of range".into()))?;
    conn.prepare_cached(
        "INSERT INTO blobs (hash, size, content_type, width, height, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (hash) DO NOTHING",
    )?
    .execute(params![
        blob.hash.as_str(),
        size,
        blob.content_type,
        blob.width,
        blob.height,
        ts(&Utc::now())
    ])?;
    Ok(())
}

/// A photo's metadata.
pub(crate) fn get_blob(conn: &Connection, hash: &BlobHash) -> StoreResult<BlobRecord> {
    Ok(conn
        .prepare_cached("SELECT hash, size, content_type, width, height FROM blobs WHERE hash = ?1")?
        .query_row([hash.as_str()], |row| {
            Ok(BlobRecord {
                hash: parsed(row, "hash", BlobHash::parse)?,
                size: u64::try_from(row.get::<_, i64>("size")?).unwrap_or(0),
                content_type: row.get("content_type")?,
                width: row.get("width")?,
                height: row.get("height")?,
            })
        })?)
}

/// The hashes that are not stored, in the order given, each once.
pub(crate) fn missing_blobs(conn: &Connection, hashes: &[BlobHash]) -> StoreResult<Vec<BlobHash>> {
    let mut stmt = conn.prepare_cached("SELECT 1 FROM blobs WHERE hash = ?1")?;
    let mut missing: Vec<BlobHash> = Vec::new();
    for h in hashes {
        if !missing.contains(h) && stmt.query_row([h.as_str()], |_| Ok(())).optional()?.is_none() {
            missing.push(h.clone());
        }
    }
    Ok(missing)
}

const API_KEY_COLUMNS: &str = "id, ags, name, media_hosts, created_at, revoked_at";

fn api_key_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ApiKeyInfo> {
    let hosts: String = row.get("media_hosts")?;
    Ok(ApiKeyInfo {
        id: get_id(row, "id")?,
        municipality: get_id(row, "ags")?,
        name: row.get("name")?,
        media_hosts: serde_json::from_str(&hosts).unwrap_or_default(),
        created_at: get_ts(row, "created_at")?,
        revoked_at: get_ts_opt(row, "revoked_at")?,
    })
}

/// Issues an API key (its hash); `Duplicate` if the hash exists.
pub(crate) fn create_api_key(conn: &Connection, key: &ApiKeyInfo, key_hash: &str) -> StoreResult<()> {
    let hosts = serde_json::to_string(&key.media_hosts).map_err(|e| StoreError::Database(e.to_string()))?;
    conn.prepare_cached(
        "INSERT INTO api_keys (id, ags, name, key_hash, media_hosts, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        key.id.to_string(),
        key.municipality.as_str(),
        key.name,
        key_hash,
        hosts,
        ts(&key.created_at)
    ])
    .map_err(duplicate_as("api key"))?;
    Ok(())
}

/// The key with this hash, if it is not revoked.
pub(crate) fn get_api_key(conn: &Connection, key_hash: &str) -> StoreResult<ApiKeyInfo> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_hash = ?1 AND revoked_at IS NULL"
        ))?
        .query_row([key_hash], api_key_from_row)?)
}

/// The keys of a municipality, newest first (revoked ones included).
pub(crate) fn list_api_keys(conn: &Connection, ags: &Ags) -> StoreResult<Vec<ApiKeyInfo>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE ags = ?1 ORDER BY created_at DESC, id"
    ))?;
    let rows = stmt.query_map([ags.as_str()], api_key_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Replaces the allowed photo hosts of a key of a municipality; `NotFound` for another
/// municipality's key.
pub(crate) fn set_api_key_hosts(
    conn: &Connection,
    ags: &Ags,
    id: &ApiKeyId,
    hosts: &[String],
) -> StoreResult<ApiKeyInfo> {
    let hosts = serde_json::to_string(hosts).map_err(|e| StoreError::Database(e.to_string()))?;
    let n = conn
        .prepare_cached("UPDATE api_keys SET media_hosts = ?3 WHERE id = ?1 AND ags = ?2")?
        .execute(params![id.to_string(), ags.as_str(), hosts])?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(conn
        .prepare_cached(&format!("SELECT {API_KEY_COLUMNS} FROM api_keys WHERE id = ?1"))?
        .query_row([id.to_string()], api_key_from_row)?)
}

/// Revokes a key of a municipality; `NotFound` for another municipality's key.
pub(crate) fn revoke_api_key(conn: &Connection, ags: &Ags, id: &ApiKeyId, at: &DateTime<Utc>) -> StoreResult<()> {
    let n = conn
        .prepare_cached("UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?3) WHERE id = ?1 AND ags = ?2")?
        .execute(params![id.to_string(), ags.as_str(), ts(at)])?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
