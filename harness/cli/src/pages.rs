//! `--html DIR`: the timeline page of every failing check (which leakcheck writes beside its
//! report), copied into DIR under the test's name, and an `index.html` that lists them with
//! their findings. Self-contained like the pages: no script, nothing fetched.

use std::fmt::Write as _;
use std::path::Path;

use crate::analysis::{Analysis, Standing};

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A file name for a test's page: its name with what a file name cannot hold replaced.
fn file_name(test: &str, taken: &[String]) -> String {
    let stem: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut name = format!("{stem}.html");
    let mut n = 2;
    while taken.contains(&name) || name == "index.html" {
        name = format!("{stem}-{n}.html");
        n += 1;
    }
    name
}

/// Writes the pages and the index; returns how many pages it wrote.
pub fn write(dir: &Path, a: &Analysis) -> Result<usize, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut taken: Vec<String> = Vec::new();
    let mut rows = String::new();
    let mut order: Vec<usize> = (0..a.reports.len()).collect();
    order.sort_by(|&x, &y| {
        let key = |i: usize| (a.reports[i].package.clone(), a.reports[i].test.clone());
        key(x).cmp(&key(y))
    });
    for ri in order {
        let r = &a.reports[ri];
        let test = r.test.as_deref().unwrap_or("a check");
        let link = match &r.file.page {
            Some(page) => {
                let name = file_name(test, &taken);
                std::fs::copy(page, dir.join(&name)).map_err(|e| {
                    format!("cannot copy {} into {}: {e}", page.display(), dir.display())
                })?;
                taken.push(name.clone());
                format!("<a href=\"{}\">{}</a>", esc(&name), esc(test))
            }
            None => format!("{} <span class=\"muted\">(no page)</span>", esc(test)),
        };
        let findings: Vec<String> = a
            .findings
            .iter()
            .filter(|f| f.report == ri)
            .map(|f| {
                let standing = match f.standing {
                    Standing::New => "new",
                    Standing::Baselined => "baselined",
                    Standing::Expected => "expected",
                };
                format!(
                    "<li><span class=\"{standing}\">{standing}</span> {}</li>",
                    esc(&f.headline)
                )
            })
            .collect();
        let _ = writeln!(
            rows,
            "<tr><td>{link}<div class=\"muted\">{}</div></td><td><ul>{}</ul></td></tr>",
            esc(&a.report_binary(r)),
            findings.join("")
        );
    }
    let mut page = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>leakcheck: failing checks</title><style>\
         body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d232a}table{border-collapse:collapse}\
         td{border-top:1px solid #d1d9e0;padding:8px 12px;vertical-align:top}ul{margin:0;padding-left:16px}\
         .muted{color:#59636e;font-size:12px}.new{color:#d1242f;font-weight:600}.baselined{color:#9a6700}.expected{color:#1a7f37}\
         a{color:#0969da}</style></head><body>\n<h1>leakcheck: failing checks</h1>\n",
    );
    if a.reports.is_empty() {
        page.push_str("<p>No check failed.</p>\n");
    } else {
        let _ = writeln!(
            page,
            "<p>{} checks with findings. Each page shows the failing schedule's threads over its steps.</p>\n<table>{rows}</table>",
            a.reports.len()
        );
    }
    page.push_str("</body></html>\n");
    std::fs::write(dir.join("index.html"), page)
        .map_err(|e| format!("cannot write {}: {e}", dir.join("index.html").display()))?;
    Ok(taken.len())
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn page_names_are_the_tests_and_never_collide() {
        let mut taken = Vec::new();
        for test in ["tests::leaky", "tests::leaky", "index"] {
            let name = file_name(test, &taken);
            taken.push(name);
        }
        assert_eq!(
            taken,
            ["tests__leaky.html", "tests__leaky-2.html", "index-2.html"]
        );
    }
}
