//! Errors about the request itself: its body, parameters, idempotency key, route, rate and the server's state.

use super::ErrorType::{Api, InvalidRequest, RateLimit};
use super::{Spec, t};

/// `invalid_json`
pub(super) const INVALID_JSON: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid JSON",
        "The request body isn't valid JSON, so it couldn't be read.",
        "Check the body for mistakes such as missing quotes or trailing commas, and send it again as JSON.",
    ),
    t(
        "请求格式错误",
        "请求内容不是有效的 JSON，无法读取。",
        "请检查请求内容是否缺少引号、多了逗号等，修改后以 JSON 格式重新发送。",
    ),
);

/// `parameter_missing`
pub(super) const PARAMETER_MISSING: Spec = (
    400,
    InvalidRequest,
    t(
        "Missing information",
        "A required field is missing from the request.",
        "Fill in the field named in the error's param and send the request again.",
    ),
    t("缺少必填信息", "请求中缺少必填的字段。", "请补充错误信息中 param 所指的字段后重新提交。"),
);

/// `parameter_invalid`
pub(super) const PARAMETER_INVALID: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid value",
        "One of the values in the request isn't valid.",
        "Correct the field named in the error's param and try again.",
    ),
    t("填写内容有误", "请求中有一项内容的取值不正确。", "请修改错误信息中 param 所指的字段后重试。"),
);

/// `parameter_unknown`
pub(super) const PARAMETER_UNKNOWN: Spec = (
    400,
    InvalidRequest,
    t(
        "Unknown field",
        "The request contains a field that this endpoint doesn't accept.",
        "Remove the field named in the error's param, or check its spelling in the API reference.",
    ),
    t(
        "不支持的字段",
        "请求中包含此接口不接受的字段。",
        "请删除错误信息中 param 所指的字段，或对照 API 文档核对字段名称。",
    ),
);

/// `unsupported_media_type`
pub(super) const UNSUPPORTED_MEDIA_TYPE: Spec = (
    415,
    InvalidRequest,
    t(
        "Unsupported content type",
        "This endpoint only accepts request bodies in JSON.",
        "Send the body as JSON with the header Content-Type: application/json.",
    ),
    t(
        "不支持的内容类型",
        "此接口只接受 JSON 格式的请求内容。",
        "请以 JSON 格式发送，并设置请求头 Content-Type: application/json。",
    ),
);

/// `request_too_large`
pub(super) const REQUEST_TOO_LARGE: Spec = (
    413,
    InvalidRequest,
    t(
        "Request too large",
        "The request is larger than we can accept.",
        "Send less data at once; for files, make them smaller and upload them one at a time.",
    ),
    t("请求内容过大", "请求内容超过了允许的大小。", "请减少单次提交的内容；如需上传文件，请压缩后逐个上传。"),
);

/// `invalid_date_range`
pub(super) const INVALID_DATE_RANGE: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid date range",
        "The start date is after the end date, or a date isn't in a format we recognise.",
        "Use dates such as 2024-01-31 (or full RFC 3339 times) and make sure the start is not after the end.",
    ),
    t(
        "日期范围无效",
        "开始日期晚于结束日期，或日期格式无法识别。",
        "请使用 2024-01-31 这样的日期（或完整的 RFC 3339 时间），并确保开始日期不晚于结束日期。",
    ),
);

/// `idempotency_key_required`
pub(super) const IDEMPOTENCY_KEY_REQUIRED: Spec = (
    400,
    InvalidRequest,
    t(
        "Idempotency key required",
        "Requests that move money must include an Idempotency-Key header.",
        "Add an Idempotency-Key header with a new unique value, such as a UUID, and reuse it only to retry the \
            same request.",
    ),
    t(
        "缺少幂等键",
        "涉及资金变动的请求必须带有 Idempotency-Key 请求头。",
        "请添加 Idempotency-Key 请求头并使用新的唯一值（例如 UUID），仅在重试同一请求时复用。",
    ),
);

/// `idempotency_key_invalid`
pub(super) const IDEMPOTENCY_KEY_INVALID: Spec = (
    400,
    InvalidRequest,
    t(
        "Invalid idempotency key",
        "The Idempotency-Key header must be 1 to 255 characters long.",
        "Use a unique value of 1 to 255 characters, such as a UUID.",
    ),
    t(
        "幂等键无效",
        "Idempotency-Key 请求头的长度须为 1 至 255 个字符。",
        "请使用 1 至 255 个字符的唯一值，例如 UUID。",
    ),
);

/// `idempotency_key_reused`
pub(super) const IDEMPOTENCY_KEY_REUSED: Spec = (
    422,
    InvalidRequest,
    t(
        "Idempotency key already used",
        "This Idempotency-Key was already used for a different request.",
        "Use a new key for a new request; reuse a key only to retry exactly the same request.",
    ),
    t(
        "幂等键已被使用",
        "该 Idempotency-Key 已用于另一笔内容不同的请求。",
        "新的请求请使用新的幂等键；只有重试完全相同的请求时才能复用。",
    ),
);

/// `idempotency_key_in_use`
pub(super) const IDEMPOTENCY_KEY_IN_USE: Spec = (
    409,
    InvalidRequest,
    t(
        "Request still in progress",
        "A request with this Idempotency-Key is still being processed.",
        "Wait a moment and retry with the same key; you will get the result of the first request.",
    ),
    t(
        "请求正在处理中",
        "使用该 Idempotency-Key 的请求仍在处理中。",
        "请稍候片刻，再用相同的幂等键重试，届时会返回第一次请求的结果。",
    ),
);

/// `resource_missing`
pub(super) const RESOURCE_MISSING: Spec = (
    404,
    InvalidRequest,
    t("Not found", "We couldn't find what you asked for.", "Check that the ID is correct and belongs to your account."),
    t("未找到相关记录", "未找到您要查询的内容。", "请检查 ID 是否正确，以及是否属于您的账户。"),
);

/// `route_not_found`
pub(super) const ROUTE_NOT_FOUND: Spec = (
    404,
    InvalidRequest,
    t(
        "Unknown address",
        "There is no API endpoint at this address.",
        "Check the path against the API reference; every path starts with /v1.",
    ),
    t("接口不存在", "该地址下没有对应的 API 接口。", "请对照 API 文档检查请求路径，所有路径均以 /v1 开头。"),
);

/// `method_not_allowed`
pub(super) const METHOD_NOT_ALLOWED: Spec = (
    405,
    InvalidRequest,
    t(
        "Method not allowed",
        "This endpoint doesn't support the HTTP method you used.",
        "Check the API reference for the methods this path accepts, such as GET or POST.",
    ),
    t(
        "不支持该请求方法",
        "此接口不支持当前使用的 HTTP 方法。",
        "请查阅 API 文档，确认该路径支持的请求方法（如 GET 或 POST）。",
    ),
);

/// `rate_limited`
pub(super) const RATE_LIMITED: Spec = (
    429,
    RateLimit,
    t(
        "Too many requests",
        "Too many requests were sent in a short time.",
        "Wait the number of seconds given in the Retry-After header, then try again; retrying with the same \
            Idempotency-Key is safe.",
    ),
    t(
        "操作过于频繁",
        "短时间内的请求次数过多。",
        "请按 Retry-After 响应头中的秒数等待后重试；使用相同的幂等键重试是安全的。",
    ),
);

/// `service_busy`
pub(super) const SERVICE_BUSY: Spec = (
    503,
    Api,
    t(
        "Service busy",
        "OKPay is handling an unusually large number of requests right now.",
        "Wait a few seconds (see the Retry-After header) and try again with the same Idempotency-Key; you \
            won't be charged twice.",
    ),
    t(
        "系统繁忙",
        "当前访问人数较多，系统暂时繁忙。",
        "请等待几秒（见 Retry-After 响应头）后使用相同的幂等键重试，不会重复扣款。",
    ),
);

/// `api_error`
pub(super) const API_ERROR: Spec = (
    500,
    Api,
    t(
        "Something went wrong",
        "Something went wrong on our side.",
        "Try again with the same Idempotency-Key. If it keeps happening, contact support and quote the request \
            ID.",
    ),
    t(
        "系统异常",
        "我们的系统出现了问题。",
        "请使用相同的 Idempotency-Key 重试；如问题持续出现，请联系客服并提供请求编号（request ID）。",
    ),
);

/// `invalid_multipart`
pub(super) const INVALID_MULTIPART: Spec = (
    400,
    InvalidRequest,
    t(
        "Unreadable upload",
        "The upload isn't a well-formed multipart/form-data body, so it couldn't be read.",
        "Send the file as multipart/form-data with a kind field and a file field; most HTTP clients do this for \
            you when you attach a file.",
    ),
    t(
        "上传内容无法读取",
        "上传内容不是格式正确的 multipart/form-data 请求，无法读取。",
        "请以 multipart/form-data 格式上传，包含 kind 字段和 file 字段；大多数 HTTP 客户端在附加文件时会自动处理。",
    ),
);
