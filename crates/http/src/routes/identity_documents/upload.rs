//! `POST /v1/me/identity-documents`: upload an identity document (multipart: `kind`, `file`).

use axum::Json;
use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::StatusCode;
use okpay_app::{AppError, Code};

use crate::error::ApiError;
use crate::extract::Auth;
use crate::state::AppState;
use crate::views::IdentityDocumentView;

/// Longest `kind` value read; anything longer is not a kind.
const MAX_KIND_BYTES: usize = 64;

/// What the multipart body held.
#[derive(Default)]
struct Upload {
    kind: Option<String>,
    file: Option<Vec<u8>>,
    /// The file went past the limit; the rest of it was read and dropped.
    too_large: bool,
}

/// Uploads a passport, identity card or proof of address (JPEG, PNG or PDF, recognised by
/// content) for review. Frozen accounts may upload; closed ones may not.
#[utoipa::path(post, path = "/v1/me/identity-documents", tag = "identity",
    request_body(content_type = "multipart/form-data", description = "`kind` (passport, id_card, proof_of_address) and `file`"),
    responses((status = 201, body = IdentityDocumentView),
        (status = 400, description = "parameter_missing, parameter_unknown, invalid_document_kind, invalid_multipart"),
        (status = 413, description = "file_too_large"), (status = 415, description = "unsupported_file_type, unsupported_media_type"),
        (status = 403, description = "account_closed")))]
pub async fn upload_identity_document(
    State(state): State<AppState>,
    Auth(caller): Auth,
    req: Request,
) -> Result<(StatusCode, Json<IdentityDocumentView>), ApiError> {
    let max_file_bytes = state.app.config.max_document_bytes;
    let upload = read(req, &state, max_file_bytes).await?;
    if upload.too_large {
        return Err(AppError::new(Code::FileTooLarge).param("file").into());
    }
    let kind = upload.kind.ok_or_else(|| AppError::new(Code::ParameterMissing).param("kind"))?;
    let file = upload.file.ok_or_else(|| AppError::new(Code::ParameterMissing).param("file"))?;
    let doc = state.app.upload_identity_document(&caller, &kind, &file).await?;
    Ok((StatusCode::CREATED, Json(IdentityDocumentView::for_owner(&doc))))
}

/// Reads the `kind` and `file` fields; any other field is `parameter_unknown`, a repeated one
/// `parameter_invalid`. After the first error the rest of the body is still read (and
/// dropped, within the route's limit), so the client receives the answer.
async fn read(req: Request, state: &AppState, max_file_bytes: usize) -> Result<Upload, ApiError> {
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::new(Code::UnsupportedMediaType).detail(e.to_string()))?;
    let mut upload = Upload::default();
    let mut refused: Option<AppError> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(body_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        let error = match name.as_str() {
            _ if refused.is_some() => None,
            "kind" if upload.kind.is_none() => {
                let bytes = read_at_most(&mut field, MAX_KIND_BYTES).await?.unwrap_or_default();
                upload.kind = Some(String::from_utf8_lossy(&bytes).trim().to_owned());
                continue;
            }
            "file" if upload.file.is_none() && !upload.too_large => {
                match read_at_most(&mut field, max_file_bytes).await? {
                    Some(bytes) => upload.file = Some(bytes),
                    None => upload.too_large = true,
                }
                continue;
            }
            "kind" | "file" => Some(AppError::new(Code::ParameterInvalid).param(name).detail("repeated")),
            "" => Some(AppError::new(Code::InvalidMultipart).detail("a part without a name")),
            _ => Some(AppError::new(Code::ParameterUnknown).param(name)),
        };
        refused = refused.or(error);
        read_at_most(&mut field, 0).await?;
    }
    match refused {
        Some(e) => Err(e.into()),
        None => Ok(upload),
    }
}

/// The field's bytes, or `None` if there are more than `max` (the rest is read and dropped,
/// so the client, still sending, gets the answer rather than a reset connection).
async fn read_at_most(field: &mut Field<'_>, max: usize) -> Result<Option<Vec<u8>>, ApiError> {
    let mut out = Vec::new();
    let mut over = false;
    while let Some(chunk) = field.chunk().await.map_err(body_error)? {
        if over || out.len() + chunk.len() > max {
            over = true;
            out = Vec::new();
        } else {
            out.extend_from_slice(&chunk);
        }
    }
    Ok((!over).then_some(out))
}

/// A body past the route's limit is a file too large; anything else is malformed.
fn body_error(e: MultipartError) -> ApiError {
    let code = if e.status() == StatusCode::PAYLOAD_TOO_LARGE { Code::FileTooLarge } else { Code::InvalidMultipart };
    let err = AppError::new(code).detail(e.body_text());
    if code == Code::FileTooLarge { err.param("file") } else { err }.into()
}
