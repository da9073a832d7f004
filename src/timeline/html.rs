//! The schedule as one self-contained HTML page: SVG swimlanes (running, blocked, finished),
//! arrows for who spawned or woke whom, the deadlock's wait-for cycle highlighted, each
//! finding linked to the step where its thread got stuck, and the text report below.
//!
//! No script, no font, nothing fetched: hovering a bar shows its steps, operation and location
//! through SVG `<title>`s. Long schedules stay light: bars are laid out in pixel columns, and
//! runs of steps narrower than a pixel merge into one bar, so the page grows with the number of
//! threads, not of steps.

use std::fmt::Write as _;

use super::{EdgeKind, Timeline};
use crate::report::{Detail, Report};

/// Width of the drawing area, in pixels.
const WIDTH: f64 = 1200.0;
/// Widest a step is drawn, in pixels.
const MAX_STEP_PX: f64 = 24.0;
/// Height of a lane.
const LANE: u64 = 30;
/// Width of the lane labels.
const LABELS: u64 = 300;
/// Space above the lanes, for the axis.
const TOP: u64 = 28;
/// Most arrows drawn; beyond it, the ones nearest the end.
const MAX_ARROWS: usize = 2_000;

const STYLE: &str = "\
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px;color:#1d232a;background:#fff}\
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}\
.meta{color:#59636e;margin:0 0 16px}\
svg{display:block;border:1px solid #d1d9e0;border-radius:6px;background:#fbfcfd}\
.lane-label{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;fill:#1d232a}\
.lane-label.cycle{fill:#b42318;font-weight:700}\
.alive{stroke:#c7d0d9;stroke-width:2}\
.run{fill:#2f81f7}.run.merged{fill:#5b9bf8}\
.blocked{fill:#f0b429}.stuck{fill:#d1242f}.stuck.cycle{stroke:#8c0c14;stroke-width:2}\
.finished{fill:#1a7f37}\
.spawn{stroke:#8250df;stroke-width:1.2;fill:none}.wake{stroke:#1a7f37;stroke-width:1.2;fill:none}\
.cycle-edge{stroke:#b42318;stroke-width:2;stroke-dasharray:4 3;fill:none}\
.axis{font:11px ui-monospace,monospace;fill:#59636e}.tick{stroke:#e6eaef}\
.legend span{display:inline-block;margin-right:16px}.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:4px;vertical-align:-1px}\
ol.findings li{margin:4px 0}pre{background:#f6f8fa;border:1px solid #d1d9e0;border-radius:6px;padding:12px;overflow:auto;font-size:12px}\
a{color:#0969da}";

/// Escapes text for HTML (and SVG) content and attributes.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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

/// Pixels, with one decimal: the same schedule gives the same bytes.
fn px(x: f64) -> String {
    format!("{:.1}", x)
}

/// A bar in pixel space, and what its tooltip says.
struct Bar {
    x0: f64,
    x1: f64,
    first: u64,
    last: u64,
    runs: usize,
    title: String,
}

/// Lays out runs `(first step, steps, title)` of one lane as bars at least a pixel wide,
/// merging the ones that touch in pixel space.
fn bars(runs: impl Iterator<Item = (u64, u64, String)>, scale: f64) -> Vec<Bar> {
    let mut out: Vec<Bar> = Vec::new();
    for (first, n, title) in runs {
        let x0 = first as f64 * scale;
        let x1 = ((first + n) as f64 * scale).max(x0 + 1.0);
        match out.last_mut() {
            Some(b) if x0 <= b.x1 + 0.5 => {
                b.x1 = b.x1.max(x1);
                b.last = first + n - 1;
                b.runs += 1;
            }
            _ => out.push(Bar {
                x0,
                x1,
                first,
                last: first + n - 1,
                runs: 1,
                title,
            }),
        }
    }
    out
}

/// The page.
pub(crate) fn render(t: &Timeline, report: &Report) -> String {
    let steps = t.len().max(1);
    let scale = (WIDTH / steps as f64).min(MAX_STEP_PX);
    let x = |step: u64| LABELS as f64 + step as f64 * scale;
    let lane_y = |id: usize| -> u64 {
        let row = t.lanes.iter().position(|l| l.id == id).unwrap_or(0) as u64;
        TOP + row * LANE
    };
    let height = TOP + t.lanes.len() as u64 * LANE + 24;
    let width = LABELS as f64 + steps as f64 * scale + 48.0;

    // The deadlock's cycle, and the thread each finding is about.
    let mut cycle: Vec<usize> = Vec::new();
    for f in report.findings() {
        if let Detail::Deadlock { cycle: c, .. } = f.detail() {
            cycle.clone_from(c);
        }
    }

    let title = report.test().unwrap_or("leakcheck check");
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>leakcheck: {}</title><style>{STYLE}</style></head><body>\n",
        esc(title)
    );
    let first_line = report.to_string();
    let first_line = first_line.lines().next().unwrap_or("");
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">{} &middot; {} steps &middot; {} threads</p>",
        esc(first_line),
        t.len(),
        t.lanes.len()
    );
    out.push_str(
        "<p class=\"legend\"><span><i class=\"sw\" style=\"background:#2f81f7\"></i>running</span>\
         <span><i class=\"sw\" style=\"background:#f0b429\"></i>blocked</span>\
         <span><i class=\"sw\" style=\"background:#d1242f\"></i>blocked for good</span>\
         <span><i class=\"sw\" style=\"background:#1a7f37\"></i>finished</span>\
         <span style=\"color:#8250df\">&rarr; spawn</span><span style=\"color:#1a7f37\">&rarr; unlock/send/notify reaching another thread</span>\
         <span style=\"color:#b42318\">- - wait-for cycle</span></p>\n",
    );

    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{height}\" \
         viewBox=\"0 0 {} {height}\" role=\"img\" aria-label=\"the schedule's threads over its steps\">",
        px(width),
        px(width)
    );
    out.push_str(
        "<defs><marker id=\"arrow-spawn\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" fill=\"#8250df\"/></marker>\
         <marker id=\"arrow-wake\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" fill=\"#1a7f37\"/></marker>\
         <marker id=\"arrow-cycle\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0L8,4L0,8z\" fill=\"#b42318\"/></marker></defs>\n",
    );

    // The axis: about ten ticks at round step counts.
    let raw = (steps as f64 / 10.0).max(1.0);
    let magnitude = 10f64.powf(raw.log10().floor());
    let tick = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|t| *t >= raw)
        .unwrap_or(raw) as u64;
    let mut s = 0;
    while s <= steps {
        let _ = writeln!(
            out,
            "<line class=\"tick\" x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\"/><text class=\"axis\" x=\"{0}\" y=\"14\">{s}</text>",
            px(x(s)),
            TOP - 6,
            height - 20
        );
        s += tick.max(1);
    }

    for lane in &t.lanes {
        let y = lane_y(lane.id);
        let mid = y + LANE / 2;
        let in_cycle = cycle.contains(&lane.id);
        let _ = writeln!(
            out,
            "<g class=\"lane\" id=\"lane-{}\" data-thread=\"{}\">",
            lane.id, lane.id
        );
        let mut label = lane.label();
        if label.chars().count() > 40 {
            label = label.chars().take(39).collect::<String>() + "…";
        }
        let _ = writeln!(
            out,
            "<text class=\"lane-label{}\" x=\"8\" y=\"{}\">{}<title>{}{}</title></text>",
            if in_cycle { " cycle" } else { "" },
            mid + 4,
            esc(&label),
            esc(&lane.label()),
            lane.spawned_at
                .as_ref()
                .map(|at| esc(&format!(", spawned at {at}")))
                .unwrap_or_default()
        );
        let end = lane.finished_step.unwrap_or(t.len());
        let _ = writeln!(
            out,
            "<line class=\"alive\" x1=\"{}\" y1=\"{mid}\" x2=\"{}\" y2=\"{mid}\"/>",
            px(x(lane.spawned_step)),
            px(x(end))
        );
        // Running: the runs of this thread's steps.
        let runs = t
            .runs()
            .into_iter()
            .filter(|r| r.0 == lane.id)
            .map(|(_, first, n)| {
                let s = &t.steps[first as usize];
                let mut title = format!("{} at step {first}", s.op);
                if n > 1 {
                    title = format!("steps {first}–{}: {} …", first + n - 1, s.op);
                }
                if let Some(object) = &s.object {
                    let _ = write!(title, " on {object}");
                }
                if let Some(at) = &s.at {
                    let _ = write!(title, " at {at}");
                }
                (first, n, title)
            });
        for b in bars(runs, scale) {
            let merged = b.runs > 1;
            let title = if merged {
                format!(
                    "steps {}–{}: {} runs of this thread",
                    b.first, b.last, b.runs
                )
            } else {
                b.title
            };
            let _ = writeln!(
                out,
                "<rect class=\"run{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
                if merged { " merged" } else { "" },
                px(LABELS as f64 + b.x0),
                y + 7,
                px(b.x1 - b.x0),
                LANE - 14,
                esc(&title)
            );
        }
        // Blocked spans that ended: laid out as the running bars are, merged where they are
        // narrower than a pixel. A thread blocked for good: its own bar, linked from its finding.
        let ended = lane.blocks.iter().filter(|b| b.to.is_some()).map(|b| {
            let to = b.to.unwrap_or(b.from + 1);
            let mut title = format!("blocked in {}", b.op);
            if let Some(object) = &b.object {
                let _ = write!(title, " on {object}");
            }
            if let Some(at) = &b.at {
                let _ = write!(title, " at {at}");
            }
            let _ = write!(title, ", steps {}–{to}", b.from);
            (b.from + 1, to.saturating_sub(b.from + 1).max(1), title)
        });
        for b in bars(ended, scale) {
            // Merged spans share their pixels with merged running bars: drawn as a band at the
            // bottom of the lane, so both show.
            let (title, class, top, height) = if b.runs > 1 {
                (
                    format!("steps {}–{}: {} blocked spans", b.first, b.last, b.runs),
                    "blocked merged",
                    y + LANE - 9,
                    4,
                )
            } else {
                (b.title, "blocked", y + 9, LANE - 18)
            };
            let _ = writeln!(
                out,
                "<rect class=\"{class}\" x=\"{}\" y=\"{top}\" width=\"{}\" height=\"{height}\"><title>{}</title></rect>",
                px(LABELS as f64 + b.x0),
                px(b.x1 - b.x0),
                esc(&title)
            );
        }
        if let Some(b) = lane.blocks.last().filter(|b| b.to.is_none()) {
            let x0 = x(b.from + 1);
            // Blocked for good: the bar runs past the end of the schedule.
            let x1 = (x(t.len()) + 14.0).max(x0 + 2.0);
            let mut title = format!("blocked for good in {}", b.op);
            if let Some(object) = &b.object {
                let _ = write!(title, " on {object}");
            }
            if let Some(at) = &b.at {
                let _ = write!(title, " at {at}");
            }
            let _ = write!(title, ", from step {}", b.from);
            let _ = writeln!(
                out,
                "<rect id=\"stuck-{}\" class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
                lane.id,
                if in_cycle { "stuck cycle" } else { "stuck" },
                px(x0),
                y + 9,
                px(x1 - x0),
                LANE - 18,
                esc(&title)
            );
        }
        if let Some(f) = lane.finished_step {
            let _ = writeln!(
                out,
                "<circle class=\"finished\" cx=\"{}\" cy=\"{mid}\" r=\"4\"><title>finished at step {f}</title></circle>",
                px(x(f))
            );
        }
        out.push_str("</g>\n");
    }

    // Arrows: spawns and what reached another thread, the latest ones when there are too many.
    let skip = t.edges.len().saturating_sub(MAX_ARROWS);
    for e in &t.edges[skip..] {
        let (class, marker) = match e.kind {
            EdgeKind::Spawn => ("spawn", "arrow-spawn"),
            EdgeKind::Sync => ("wake", "arrow-wake"),
        };
        let (x0, y0) = (x(e.from.1) + scale / 2.0, lane_y(e.from.0) + LANE / 2);
        let (x1, y1) = (x(e.to.1).max(x0 + 1.0), lane_y(e.to.0) + LANE / 2);
        let _ = writeln!(
            out,
            "<path class=\"{class}\" d=\"M{},{y0}L{},{y1}\" marker-end=\"url(#{marker})\"><title>{}</title></path>",
            px(x0),
            px(x1),
            esc(&e.label)
        );
    }
    // The wait-for cycle: from each stuck thread to the one it waits for.
    if cycle.len() > 1 {
        for (i, &a) in cycle.iter().enumerate() {
            let b = cycle[(i + 1) % cycle.len()];
            let (xa, ya) = (x(t.len()) - 4.0, lane_y(a) + LANE / 2);
            let yb = lane_y(b) + LANE / 2;
            let bend = xa + 12.0 + 6.0 * i as f64;
            let _ = writeln!(
                out,
                "<path class=\"cycle-edge\" d=\"M{},{ya}C{},{ya} {},{yb} {},{yb}\" marker-end=\"url(#arrow-cycle)\"><title>thread#{a} waits for thread#{b}</title></path>",
                px(xa),
                px(bend),
                px(bend),
                px(xa)
            );
        }
    }
    out.push_str("</svg>\n");
    if skip > 0 {
        let _ = writeln!(
            out,
            "<p class=\"meta\">{} arrows; the {MAX_ARROWS} nearest the end are drawn.</p>",
            t.edges.len()
        );
    }

    // The findings, each linked to where its thread got stuck.
    out.push_str("<h2>Findings</h2>\n<ol class=\"findings\">\n");
    for f in report.findings() {
        let text = f.to_string();
        let headline = text.lines().next().unwrap_or("");
        let target = f.thread().and_then(|thread| {
            let lane = t.lane(thread.id)?;
            Some(if lane.blocks.last().is_some_and(|b| b.to.is_none()) {
                format!("#stuck-{}", lane.id)
            } else {
                format!("#lane-{}", lane.id)
            })
        });
        let _ = write!(
            out,
            "<li class=\"finding\" data-kind=\"{}\">{}",
            f.kind(),
            esc(headline)
        );
        if let Some(target) = target {
            let _ = write!(out, " &middot; <a href=\"{target}\">in the timeline</a>");
        }
        if let Some(at) = f.location() {
            let _ = write!(out, " &middot; <code>{}</code>", esc(&at.to_string()));
        }
        out.push_str("</li>\n");
    }
    out.push_str("</ol>\n<h2>Report</h2>\n<pre id=\"report\">");
    out.push_str(&esc(&report.to_string()));
    out.push_str("</pre>\n</body></html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::{sample, Step};
    use super::*;

    fn report() -> Report {
        sample::report("tests::sample <&>")
    }

    #[test]
    fn the_page_has_a_lane_per_thread_and_no_script() {
        let page = render(&sample::timeline(), &report());
        assert_eq!(page.matches("<g class=\"lane\"").count(), 2);
        assert!(
            page.contains("id=\"stuck-1\""),
            "the worker is blocked for good"
        );
        assert!(page.contains("tests::sample &lt;&amp;&gt;"), "escaped");
        for banned in ["<script", "http://", "https://", "@import", "url(http"] {
            let allowed = banned == "http://" && page.matches(banned).count() == 1;
            assert!(!page.contains(banned) || allowed, "{banned} in the page");
        }
        assert_eq!(
            render(&sample::timeline(), &report()),
            page,
            "deterministic"
        );
    }

    #[test]
    fn a_hundred_thousand_steps_stay_small() {
        let mut t = sample::timeline();
        for i in 0..100_000u64 {
            t.steps.push(Step {
                thread: (i % 2) as usize,
                op: "Sender::send".into(),
                object: Some("channel#1".into()),
                at: None,
            });
        }
        let page = render(&t, &report());
        assert!(page.len() < 200_000, "{} bytes", page.len());
    }
}
