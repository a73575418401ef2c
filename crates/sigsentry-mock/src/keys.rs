//! API keys the fake accepts, and the authorisation every API request passes first: the
//! key, its permission for the method, and the project it acts in.

use super::{error, Shared};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The project of keys that do not name one.
pub const DEFAULT_PROJECT: &str = "prj_default";
/// The one tenant.
pub const TENANT: &str = "tnt_fake";

/// Who a key belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyScope {
    /// A project-scoped key.
    Project(String),
    /// A tenant-scoped key: requests name the project with `X-Project-Id`.
    Tenant,
}

/// An API key the fake accepts.
#[derive(Clone)]
pub struct ApiKey {
    /// The bearer token.
    pub token: String,
    /// Its scope.
    pub scope: KeyScope,
    /// `config:read`.
    pub read: bool,
    /// `config:write`.
    pub write: bool,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("token", &"<redacted>")
            .field("scope", &self.scope)
            .field("read", &self.read)
            .field("write", &self.write)
            .finish()
    }
}

impl ApiKey {
    /// A tenant-scoped key with read and write permission.
    pub fn tenant(token: &str) -> Self {
        ApiKey {
            token: token.into(),
            scope: KeyScope::Tenant,
            read: true,
            write: true,
        }
    }

    /// A project-scoped key with read and write permission.
    pub fn project(token: &str, project: &str) -> Self {
        ApiKey {
            token: token.into(),
            scope: KeyScope::Project(project.into()),
            read: true,
            write: true,
        }
    }

    /// Parses `TOKEN[:project=P|:tenant][:read|:write|:rw]` (default project prj_default, rw).
    pub fn parse(spec: &str) -> Result<ApiKey, String> {
        let mut parts = spec.split(':');
        let token = parts.next().filter(|t| !t.is_empty()).ok_or("empty key")?;
        let mut key = ApiKey::project(token, DEFAULT_PROJECT);
        for p in parts {
            match p {
                "tenant" => key.scope = KeyScope::Tenant,
                "read" => (key.read, key.write) = (true, false),
                "write" => (key.read, key.write) = (false, true),
                "rw" => (key.read, key.write) = (true, true),
                other => match other.strip_prefix("project=") {
                    Some(prj) if !prj.is_empty() => key.scope = KeyScope::Project(prj.into()),
                    _ => return Err(format!("unknown key option {other:?}")),
                },
            }
        }
        Ok(key)
    }
}

/// The project a request acts in, put in the request's extensions by [`authorize`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Project(pub String);

/// Middleware: answers 401, 403 or 400 as the contract says, or lets the request on with
/// its [`Project`]. Reads need `config:read`; every other method `config:write`.
pub(crate) async fn authorize(
    State(shared): State<Arc<Shared>>,
    mut req: Request,
    next: Next,
) -> Response {
    match project_of(&shared, &req) {
        Ok(project) => {
            req.extensions_mut().insert(Project(project));
            next.run(req).await
        }
        Err(refusal) => *refusal,
    }
}

/// The project `req` may act in, or the refusal.
fn project_of(shared: &Shared, req: &Request) -> Result<String, Box<Response>> {
    let write = req.method() != Method::GET;
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    let Some(token) = header("authorization").and_then(|v| v.strip_prefix("Bearer ")) else {
        return Err(refuse(401, "UNAUTHORIZED", "missing API key"));
    };
    let Some(key) = shared.keys.iter().find(|k| k.token == token) else {
        return Err(refuse(401, "UNAUTHORIZED", "invalid API key"));
    };
    if !(if write { key.write } else { key.read }) {
        let perm = if write { "config:write" } else { "config:read" };
        return Err(refuse(403, "FORBIDDEN", &format!("API key lacks {perm}")));
    }
    let named = header("x-project-id");
    match &key.scope {
        KeyScope::Project(p) => match named {
            Some(n) if n != p => Err(refuse(
                403,
                "FORBIDDEN",
                "API key is scoped to another project",
            )),
            _ => Ok(p.clone()),
        },
        KeyScope::Tenant => match named {
            Some(n) if shared.projects.iter().any(|p| p == n) => Ok(n.to_string()),
            Some(n) if !is_project_id(n) => Err(refuse(
                400,
                "VALIDATION_ERROR",
                "X-Project-Id is not a project id (prj_ then letters, digits, _ or -)",
            )),
            Some(_) => Err(refuse(
                404,
                "PROJECT_NOT_FOUND",
                "no such project in this tenant",
            )),
            None => Err(refuse(
                400,
                "VALIDATION_ERROR",
                "tenant-scoped keys need X-Project-Id",
            )),
        },
    }
}

/// `prj_` then letters, digits, `_` or `-`: the contract's project ids.
fn is_project_id(id: &str) -> bool {
    id.strip_prefix("prj_").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

/// An error answer, boxed to keep `Result`s small.
fn refuse(status: u16, code: &str, message: &str) -> Box<Response> {
    Box::new(error(status, code, message))
}
