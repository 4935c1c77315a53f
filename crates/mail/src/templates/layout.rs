//! The one layout every message shares: greeting, paragraphs, an optional button, closing
//! paragraphs and a signature, written once as text and once as escaped HTML.

use super::{Locale, Rendered};

/// What a template says; the layout decides how it looks.
#[derive(Debug, Clone, Default)]
pub struct Content {
    /// Subject line.
    pub subject: String,
    /// Paragraphs before the button.
    pub before: Vec<String>,
    /// The button: label and absolute URL (shown as a plain link in the text part).
    pub action: Option<(String, String)>,
    /// Paragraphs after the button.
    pub after: Vec<String>,
}

impl Content {
    /// Fills the layout for a recipient called `name`.
    pub fn render(self, locale: Locale, name: &str) -> Rendered {
        let (greeting, signature, colon) = match locale {
            Locale::En => (format!("Hello {name},"), "The OKPay team", ":"),
            Locale::Zh => (format!("{name}，您好："), "OKPay 团队", "："),
        };
        let mut text = format!("{greeting}\n\n");
        let mut html = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title></head>\
             <body style=\"font-family:sans-serif;line-height:1.5\"><p>{}</p>",
            escape(&self.subject),
            escape(&greeting)
        );
        for p in &self.before {
            text.push_str(&format!("{p}\n\n"));
            html.push_str(&format!("<p>{}</p>", escape(p)));
        }
        if let Some((label, url)) = &self.action {
            text.push_str(&format!("{label}{colon}\n{url}\n\n"));
            html.push_str(&format!(
                "<p><a href=\"{u}\" style=\"display:inline-block;padding:10px 18px;background:#1a56db;\
                 color:#fff;text-decoration:none;border-radius:4px\">{l}</a></p><p style=\"font-size:small\">{u}</p>",
                u = escape(url),
                l = escape(label)
            ));
        }
        for p in &self.after {
            text.push_str(&format!("{p}\n\n"));
            html.push_str(&format!("<p>{}</p>", escape(p)));
        }
        text.push_str(&format!("-- \n{signature}\n"));
        html.push_str(&format!("<p>{}</p></body></html>", escape(signature)));
        Rendered { subject: self.subject, text, html }
    }
}

/// Escapes text for HTML element content and double-quoted attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(super::escape(r#"<a href="x">&'"#), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
