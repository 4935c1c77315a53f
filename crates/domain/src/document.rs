//! Identity documents (KYC): their kinds, review statuses, and the file types accepted, which
//! are recognised by content (magic bytes), never by the name or `Content-Type` a client sends.

use crate::ValidationError;

/// What an identity document proves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A passport's photo page.
    Passport,
    /// A national identity card.
    IdCard,
    /// A recent utility bill or bank statement showing the address.
    ProofOfAddress,
}

impl DocumentKind {
    /// Every kind, in a stable order.
    pub const ALL: [DocumentKind; 3] = [DocumentKind::Passport, DocumentKind::IdCard, DocumentKind::ProofOfAddress];

    /// Parses the wire value.
    pub fn parse(s: &str) -> Result<DocumentKind, ValidationError> {
        DocumentKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or(ValidationError::InvalidDocumentKind)
    }

    /// The wire and storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Passport => "passport",
            DocumentKind::IdCard => "id_card",
            DocumentKind::ProofOfAddress => "proof_of_address",
        }
    }
}

/// Where a document is in its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentStatus {
    /// Uploaded, waiting for an agent.
    PendingReview,
    /// Accepted by an agent: the owner's `kyc_level` is raised.
    Approved,
    /// Refused by an agent, with a reason mailed to the owner.
    Rejected,
}

impl DocumentStatus {
    /// The wire and storage value.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::PendingReview => "pending_review",
            DocumentStatus::Approved => "approved",
            DocumentStatus::Rejected => "rejected",
        }
    }

    /// Parses the storage value.
    pub fn parse(s: &str) -> Option<DocumentStatus> {
        [DocumentStatus::PendingReview, DocumentStatus::Approved, DocumentStatus::Rejected]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// The file types accepted for identity documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileType {
    /// `image/jpeg`
    Jpeg,
    /// `image/png`
    Png,
    /// `application/pdf`
    Pdf,
}

/// The smallest file accepted: below this no scan of a document can be legible.
pub const MIN_FILE_BYTES: usize = 64;

impl FileType {
    /// Recognises a file by its first bytes. `None` for anything else, including text that
    /// merely carries a `.png` or `.pdf` name.
    pub fn sniff(content: &[u8]) -> Option<FileType> {
        const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
        const JPEG: &[u8] = b"\xff\xd8\xff";
        const PDF: &[u8] = b"%PDF-";
        if content.starts_with(PNG) {
            Some(FileType::Png)
        } else if content.starts_with(JPEG) {
            Some(FileType::Jpeg)
        } else if content.starts_with(PDF) {
            Some(FileType::Pdf)
        } else {
            None
        }
    }

    /// The MIME type, as stored and served to staff.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Pdf => "application/pdf",
        }
    }

    /// Parses a stored MIME type.
    pub fn from_mime(s: &str) -> Option<FileType> {
        [FileType::Jpeg, FileType::Png, FileType::Pdf].into_iter().find(|t| t.mime() == s)
    }
}

/// Checks an upload's size and content: `FileTooLarge` above `max_bytes`, then
/// `UnsupportedFileType` unless the content is a JPEG, PNG or PDF of at least
/// [`MIN_FILE_BYTES`].
pub fn check_upload(content: &[u8], max_bytes: usize) -> Result<FileType, ValidationError> {
    if content.len() > max_bytes {
        return Err(ValidationError::FileTooLarge);
    }
    if content.len() < MIN_FILE_BYTES {
        return Err(ValidationError::UnsupportedFileType);
    }
    FileType::sniff(content).ok_or(ValidationError::UnsupportedFileType)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(head: &[u8]) -> Vec<u8> {
        let mut v = head.to_vec();
        v.resize(MIN_FILE_BYTES, 0);
        v
    }

    #[test]
    fn content_decides_the_type() {
        assert_eq!(check_upload(&padded(b"\x89PNG\r\n\x1a\n"), 1_000), Ok(FileType::Png));
        assert_eq!(check_upload(&padded(b"\xff\xd8\xff\xe0"), 1_000), Ok(FileType::Jpeg));
        assert_eq!(check_upload(&padded(b"%PDF-1.7\n"), 1_000), Ok(FileType::Pdf));
        let text = padded(b"hello, I am a text file named passport.png");
        assert_eq!(check_upload(&text, 1_000), Err(ValidationError::UnsupportedFileType));
        // A GIF, an HTML page and a ZIP are refused too.
        for head in [&b"GIF89a"[..], b"<html><script>", b"PK\x03\x04"] {
            assert_eq!(check_upload(&padded(head), 1_000), Err(ValidationError::UnsupportedFileType));
        }
    }

    #[test]
    fn size_is_checked_first_and_tiny_files_are_refused() {
        assert_eq!(check_upload(&padded(b"%PDF-"), MIN_FILE_BYTES - 1), Err(ValidationError::FileTooLarge));
        assert_eq!(check_upload(b"%PDF-1.7", 1_000), Err(ValidationError::UnsupportedFileType));
        assert_eq!(check_upload(b"", 1_000), Err(ValidationError::UnsupportedFileType));
    }

    #[test]
    fn kinds_statuses_and_mimes_round_trip() {
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::parse(k.as_str()), Ok(k));
        }
        assert_eq!(DocumentKind::parse("selfie"), Err(ValidationError::InvalidDocumentKind));
        assert_eq!(DocumentKind::parse("Passport"), Err(ValidationError::InvalidDocumentKind));
        for st in [DocumentStatus::PendingReview, DocumentStatus::Approved, DocumentStatus::Rejected] {
            assert_eq!(DocumentStatus::parse(st.as_str()), Some(st));
        }
        for t in [FileType::Jpeg, FileType::Png, FileType::Pdf] {
            assert_eq!(FileType::from_mime(t.mime()), Some(t));
        }
        assert_eq!(FileType::from_mime("text/html"), None);
    }
}
