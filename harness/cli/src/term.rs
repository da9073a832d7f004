//! The terminal: colours and progress only where a person watches.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::ColorChoice;

/// How output is shown: colours on stdout, progress on stderr, cargo's output streamed or kept.
#[derive(Clone, Copy, Debug)]
pub struct Ui {
    color: bool,
    progress: bool,
    verbose: bool,
}

impl Ui {
    /// Colours when stdout is a terminal (or `--color always`) and `NO_COLOR` is unset; a
    /// progress bar when stderr is a terminal and the colour choice is not `never`.
    pub fn new(choice: ColorChoice, verbose: bool) -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => !no_color && std::io::stdout().is_terminal(),
        };
        let progress = choice != ColorChoice::Never && std::io::stderr().is_terminal();
        Ui {
            color,
            progress,
            verbose,
        }
    }

    /// Whether stdout gets colours.
    pub fn color(&self) -> bool {
        self.color
    }

    /// Whether a progress bar is shown (stderr is a terminal).
    pub fn shows_progress(&self) -> bool {
        self.progress
    }

    /// Whether cargo's and the tests' output is passed through as it comes: when nobody
    /// watches a progress bar (CI logs), or with `--verbose`.
    pub fn stream(&self) -> bool {
        self.verbose || !self.progress
    }

    /// A spinner with a message, on a terminal; a hidden one elsewhere.
    pub fn spinner(&self, message: &str) -> ProgressBar {
        if !self.progress || self.verbose {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("the template is valid"),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    /// A progress bar over `total` tests when it is known, a spinner otherwise; hidden when not
    /// on a terminal.
    pub fn progress(&self, total: Option<u64>, message: &str) -> ProgressBar {
        let Some(total) = total.filter(|_| self.progress && !self.verbose) else {
            return self.spinner(message);
        };
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} tests ({elapsed}) {wide_msg}")
                .expect("the template is valid"),
        );
        bar.set_message(message.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    }

    /// `text` in bold red, when colours are on.
    pub fn red(&self, text: &str) -> String {
        self.paint("1;31", text)
    }

    /// `text` in bold green, when colours are on.
    pub fn green(&self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// `text` in yellow, when colours are on.
    pub fn yellow(&self, text: &str) -> String {
        self.paint("33", text)
    }

    /// `text` in bold, when colours are on.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }

    /// `text` dimmed, when colours are on.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_string()
        }
    }
}
