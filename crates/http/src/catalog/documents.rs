//! Errors of identity documents (KYC uploads and reviews) and account closure.

use super::ErrorType::InvalidRequest;
use super::{Spec, t};

/// `terms_not_accepted`
pub(super) const TERMS_NOT_ACCEPTED: Spec = (
    400,
    InvalidRequest,
    t(
        "Terms not accepted",
        "Closing an account needs you to accept the closure terms.",
        "Read the terms on closing an account, then send the request again with accept_terms set to true.",
    ),
    t(
        "未同意注销条款",
        "注销账户前需要您同意账户注销条款。",
        "请阅读账户注销条款，并将 accept_terms 设为 true 后重新提交。",
    ),
);

/// `closure_blocked`
pub(super) const CLOSURE_BLOCKED: Spec = (
    409,
    InvalidRequest,
    t(
        "Account can't be closed yet",
        "Your account still holds money or has transactions in progress. The error's blockers list each \
            one.",
        "Move every balance to zero (transfer or withdraw it) and wait for pending transactions to finish, \
            then ask again.",
    ),
    t(
        "账户暂时无法注销",
        "您的账户仍有余额或处理中的交易，错误信息中的 blockers 列出了每一项。",
        "请先将各币种余额转出或提现至零，并等待处理中的交易完成后再申请注销。",
    ),
);

/// `closure_already_requested`
pub(super) const CLOSURE_ALREADY_REQUESTED: Spec = (
    409,
    InvalidRequest,
    t(
        "Closure already requested",
        "You already asked to close your account, and that request is still being reviewed.",
        "Wait for our email about the first request; you can see its status in your closure requests.",
    ),
    t(
        "已提交注销申请",
        "您已提交过账户注销申请，目前仍在审核中。",
        "请等待我们关于该申请的邮件通知，也可以在注销申请列表中查看进度。",
    ),
);

/// `closure_not_pending`
pub(super) const CLOSURE_NOT_PENDING: Spec = (
    409,
    InvalidRequest,
    t(
        "Request already decided",
        "This closure request has already been approved or rejected.",
        "Reload the request to see its decision; a new request is needed to review the account again.",
    ),
    t("申请已处理", "该注销申请已被批准或拒绝。", "请刷新查看处理结果；如需再次审核，需要用户重新提交申请。"),
);

/// `file_too_large`
pub(super) const FILE_TOO_LARGE: Spec = (
    413,
    InvalidRequest,
    t(
        "File too large",
        "The file is larger than the size accepted for identity documents (10 MB unless configured otherwise).",
        "Upload a smaller file: scan at a lower resolution, or save the photo as JPEG, then try again.",
    ),
    t(
        "文件过大",
        "文件超过了身份证件允许的大小上限（默认为 10 MB）。",
        "请上传较小的文件：降低扫描分辨率，或将照片保存为 JPEG 格式后重试。",
    ),
);

/// `unsupported_file_type`
pub(super) const UNSUPPORTED_FILE_TYPE: Spec = (
    415,
    InvalidRequest,
    t(
        "Unsupported file type",
        "The file isn't a JPEG, PNG or PDF. We check what the file contains, not its name.",
        "Upload a photo (JPEG or PNG) or a PDF scan of the document. Renaming a file doesn't change its type.",
    ),
    t(
        "不支持的文件类型",
        "该文件不是 JPEG、PNG 或 PDF 格式。我们根据文件内容判断类型，而不是文件名。",
        "请上传证件的照片（JPEG 或 PNG）或 PDF 扫描件。仅修改文件扩展名不会改变文件类型。",
    ),
);

/// `invalid_document_kind`
pub(super) const INVALID_DOCUMENT_KIND: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid document kind",
        "The document kind must be passport, id_card or proof_of_address.",
        "Choose the kind that matches the document you are uploading and send it in the kind field.",
    ),
    t(
        "证件类型无效",
        "证件类型必须是 passport（护照）、id_card（身份证）或 proof_of_address（地址证明）之一。",
        "请在 kind 字段中选择与所上传证件相符的类型。",
    ),
);

/// `document_already_reviewed`
pub(super) const DOCUMENT_ALREADY_REVIEWED: Spec = (
    409,
    InvalidRequest,
    t(
        "Document already reviewed",
        "This identity document has already been approved or rejected.",
        "Reload the document to see its decision. A new decision needs a new upload from the customer.",
    ),
    t("证件已审核", "该身份证件已经被批准或拒绝。", "请刷新查看审核结果；如需重新审核，需要客户重新上传证件。"),
);
