//! End-to-end tests of the `newsmark` binary: formats, exit codes, configuration, multi-file
//! resolution and bad input. Every command runs in a temporary folder, and every test checks
//! that the input files are byte for byte unchanged afterwards.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_newsmark");
/// Generous: only a hang (or a quadratic blow-up) gets near it.
const TIMEOUT: Duration = Duration::from_secs(120);

struct Output {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs the binary in `dir`, failing the test if it hangs or panics.
fn run(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run newsmark");
    // Read the pipes on threads so that a big output cannot block the child.
    let mut out_pipe = child.stdout.take().unwrap();
    let mut err_pipe = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut out_pipe, &mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = Vec::new();
        std::io::Read::read_to_end(&mut err_pipe, &mut s).unwrap();
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            panic!("newsmark {args:?} did not finish in {TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let o = Output {
        code: status.code().expect("exit code, not a signal"),
        stdout: String::from_utf8(out.join().unwrap()).expect("UTF-8 stdout"),
        stderr: String::from_utf8(err.join().unwrap()).expect("UTF-8 stderr"),
    };
    assert!(
        !o.stderr.contains("panicked"),
        "newsmark {args:?} panicked:\n{}",
        o.stderr
    );
    o
}

/// Every file under `dir` (following no links) with its bytes.
fn snapshot_files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                if let Ok(bytes) = std::fs::read(e.path()) {
                    out.insert(e.path(), bytes);
                }
            }
        }
    }
    out
}

/// A temp folder holding a copy of `tests/data/cli`, and the files' original bytes.
struct Fixture {
    dir: tempfile::TempDir,
    original: BTreeMap<PathBuf, Vec<u8>>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/cli");
        copy_dir(&src, dir.path());
        let original = snapshot_files(dir.path());
        Fixture { dir, original }
    }

    fn empty() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            original: BTreeMap::new(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&mut self, name: &str, bytes: impl AsRef<[u8]>) {
        let p = self.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, bytes.as_ref()).unwrap();
        self.original.insert(p, bytes.as_ref().to_vec());
    }

    fn run(&self, args: &[&str]) -> Output {
        let o = run(self.path(), args);
        self.assert_inputs_unchanged(args);
        o
    }

    /// Inputs are byte for byte what they were (new files, such as outputs, are allowed).
    fn assert_inputs_unchanged(&self, args: &[&str]) {
        let now = snapshot_files(self.path());
        for (p, bytes) in &self.original {
            if std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file()) {
                assert!(
                    now.get(p) == Some(bytes),
                    "newsmark {args:?} changed input {}",
                    p.display()
                );
            }
        }
    }
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for e in std::fs::read_dir(src).unwrap().flatten() {
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).unwrap();
        }
    }
}

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}):\n{s}"))
}

fn chars(s: &str, start: usize, end: usize) -> String {
    s.chars().skip(start).take(end - start).collect()
}

// ---------------------------------------------------------------------------------------------
// check

#[test]
fn check_human_output_and_summary() {
    let f = Fixture::new();
    let o = f.run(&["check"]);
    assert_eq!(o.code, 1, "errors found: exit 1\n{}", o.stderr);
    assert_eq!(
        o.stderr.trim(),
        "6 errors, 1 warning, 1 info, 2 hints in 3 files"
    );
    for line in o.stdout.lines() {
        let mut parts = line.splitn(4, ':');
        let path = parts.next().unwrap();
        assert!(path.ends_with(".nmk") && !path.starts_with("./"), "{line}");
        let l: usize = parts.next().unwrap().parse().unwrap();
        let c: usize = parts.next().unwrap().parse().unwrap();
        assert!(l >= 1 && c >= 1, "{line}");
    }
    // Files in sorted path order, and the same output every time.
    let paths: Vec<&str> = o
        .stdout
        .lines()
        .map(|l| l.split(':').next().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(f.run(&["check"]).stdout, o.stdout);
    insta::assert_snapshot!("check_human", o.stdout);
}

#[test]
fn columns_count_characters_not_bytes_or_the_bom() {
    let mut f = Fixture::empty();
    f.write("a.nmk", "\u{feff}@ghost here\nЖжж «x» @ghost\n");
    let o = f.run(&["check", "a.nmk"]);
    assert_eq!(o.code, 1);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(
        lines[0].starts_with("a.nmk:1:2: error[undefined-entity]"),
        "{}",
        o.stdout
    );
    assert!(
        lines[1].starts_with("a.nmk:2:10: error[undefined-entity]"),
        "{}",
        o.stdout
    );
}

#[test]
fn exit_codes() {
    let mut f = Fixture::empty();
    f.write("clean.nmk", "@a: person \"A\"\n\n@a said hello.\n");
    f.write(
        "warn.nmk",
        "\"Nobody knows who wrote these words at all.\"\n",
    );
    f.write("err.nmk", "@c is undefined.\n");
    assert_eq!(f.run(&["check", "clean.nmk"]).code, 0);
    let o = f.run(&["check", "warn.nmk"]);
    assert_eq!(o.code, 0, "warnings do not fail: {}", o.stdout);
    assert!(o.stdout.contains("warning[unattributed-quote]"));
    assert_eq!(f.run(&["check", "err.nmk"]).code, 1);
    // A missing path is an I/O problem (2) named in the message; the rest is still checked.
    let o = f.run(&["check", "clean.nmk", "missing.nmk"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("missing.nmk: cannot read: no such file or folder"),
        "{}",
        o.stderr
    );
    // Usage errors.
    assert_eq!(f.run(&["check", "--format", "xml"]).code, 2);
    assert_eq!(f.run(&["check", "--no-such-flag"]).code, 2);
    assert_eq!(f.run(&["frobnicate"]).code, 2);
    assert_eq!(
        f.run(&["export", "--format", "brat"]).code,
        2,
        "brat needs --out"
    );
}

#[test]
fn check_json_shape() {
    let f = Fixture::new();
    let o = f.run(&["check", "--format", "json"]);
    assert_eq!(o.code, 1);
    let v = json(&o.stdout);
    assert_eq!(v["version"], 1);
    assert_eq!(v["files"], 3);
    assert_eq!(v["summary"]["errors"], 6);
    let diags = v["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 10);
    for d in diags {
        for key in ["path", "severity", "code", "message"] {
            assert!(d[key].is_string(), "{key} in {d}");
        }
        for key in ["line", "column"] {
            assert!(d[key].as_u64().unwrap() >= 1, "{d}");
            assert!(d["end"][key].as_u64().unwrap() >= 1, "{d}");
        }
        let start = (d["line"].as_u64(), d["column"].as_u64());
        let end = (d["end"]["line"].as_u64(), d["end"]["column"].as_u64());
        assert!(start <= end, "{d}");
    }
    // The ambiguous mention points at both definitions.
    let dup = diags
        .iter()
        .find(|d| d["code"] == "duplicate-definition")
        .unwrap();
    let related: Vec<&str> = dup["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(related, ["news/brief.nmk", "registry.nmk"]);
    assert_eq!(v["problems"], Value::Array(vec![]));
    insta::assert_snapshot!("check_json", o.stdout);
}

/// The parts of the SARIF 2.1.0 schema that GitHub code scanning relies on.
fn assert_valid_sarif(v: &Value) {
    assert_eq!(v["version"], "2.1.0");
    assert!(v["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "newsmark");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let info = driver["informationUri"].as_str().unwrap();
    assert!(info.starts_with("https://"), "{info}");
    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for code in [
        "unattributed-quote",
        "undefined-entity",
        "duplicate-definition",
        "shadowed-definition",
        "unused-entity",
        "unclosed-quote",
        "unlinked-mention",
        "speaker-kind",
        "unknown-kind",
        "bad-property",
        "syntax",
    ] {
        assert!(ids.contains(&code), "rule {code} missing");
    }
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "rule ids are unique");
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty());
        let level = r["defaultConfiguration"]["level"].as_str().unwrap();
        assert!(["none", "note", "warning", "error"].contains(&level), "{r}");
    }
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    for res in run["results"].as_array().unwrap() {
        let id = res["ruleId"].as_str().unwrap();
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], id, "ruleIndex points at the rule");
        assert!(["none", "note", "warning", "error"].contains(&res["level"].as_str().unwrap()));
        assert!(!res["message"]["text"].as_str().unwrap().is_empty());
        let locations = res["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1);
        let phys = &locations[0]["physicalLocation"];
        let uri = phys["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            !uri.starts_with('/') && !uri.contains('\\') && !uri.contains(' '),
            "{uri}"
        );
        assert_eq!(phys["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &phys["region"];
        for key in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[key].as_u64().unwrap() >= 1, "{key} in {region}");
        }
        let start = (region["startLine"].as_u64(), region["startColumn"].as_u64());
        let end = (region["endLine"].as_u64(), region["endColumn"].as_u64());
        assert!(start <= end, "{region}");
    }
    let inv = &run["invocations"][0];
    assert!(inv["executionSuccessful"].is_boolean());
}

/// Replaces the temp folder in a SARIF log, and the version, so snapshots are stable.
fn redact_sarif(s: &str, dir: &Path) -> String {
    let canonical = std::fs::canonicalize(dir).unwrap();
    let mut out = s.to_string();
    for d in [canonical.as_path(), dir] {
        out = out.replace(&format!("file://{}/", d.display()), "file:///[CWD]/");
    }
    out.replace(
        &format!("\"{}\"", env!("CARGO_PKG_VERSION")),
        "\"[VERSION]\"",
    )
}

#[test]
fn check_sarif() {
    let f = Fixture::new();
    let o = f.run(&["check", "--format", "sarif"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.is_empty(),
        "no summary line for sarif: {}",
        o.stderr
    );
    insta::assert_snapshot!("check_sarif", redact_sarif(&o.stdout, f.path()));
    let v = json(&o.stdout);
    assert_valid_sarif(&v);
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 10);
    let levels: Vec<&str> = results
        .iter()
        .map(|r| r["level"].as_str().unwrap())
        .collect();
    assert_eq!(levels.iter().filter(|l| **l == "error").count(), 6);
    // Files outside the working folder get absolute URIs; within it, relative ones.
    let o = run(
        &f.path().join("news"),
        &["check", "../registry.nmk", "--format", "sarif"],
    );
    let v = json(&o.stdout);
    let uri = v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"]
        .as_str()
        .unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/registry.nmk"),
        "{uri}"
    );
}

#[test]
fn sarif_reports_unreadable_files_as_notifications() {
    let mut f = Fixture::empty();
    f.write("ok.nmk", "Fine.\n");
    f.write("bad.nmk", b"ok\n\xff\n");
    let o = f.run(&["check", "--format", "sarif"]);
    assert_eq!(o.code, 2);
    let v = json(&o.stdout);
    assert_valid_sarif(&v);
    let inv = &v["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(inv["exitCode"], 2);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "bad.nmk"
    );
    assert_eq!(
        n["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
}

// ---------------------------------------------------------------------------------------------
// workspace resolution and configuration

#[test]
fn definitions_in_any_walked_file_resolve_mentions() {
    let f = Fixture::new();
    // With the registry, `@lavrov` resolves; without it, it does not.
    let with = f.run(&[
        "check",
        "registry.nmk",
        "news/talks.nmk",
        "--format",
        "json",
    ]);
    let without = f.run(&["check", "news/talks.nmk", "--format", "json"]);
    let undefined = |o: &Output| -> Vec<String> {
        json(&o.stdout)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "undefined-entity")
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(!undefined(&with).iter().any(|m| m.contains("@lavrov")));
    assert!(undefined(&without).iter().any(|m| m.contains("@lavrov")));
    // A folder is walked recursively; a file named twice is read once.
    let o = f.run(&["check", ".", "news", "news/talks.nmk", "--format", "json"]);
    assert_eq!(json(&o.stdout)["files"], 3);
}

#[test]
fn configuration_lookup_and_errors() {
    let mut f = Fixture::new();
    // The nearest newsmark.toml above the first path.
    f.write(
        "newsmark.toml",
        "[severity]\nundefined-entity = \"warning\"\nunclosed-quote = \"off\"\nsyntax = \"warning\"\nduplicate-definition = \"off\"\n",
    );
    let o = f.run(&["check", "news"]);
    assert_eq!(o.code, 0, "no error left: {}", o.stdout);
    assert!(!o.stdout.contains("unclosed-quote"));
    assert!(o.stdout.contains("warning[undefined-entity]"));
    // --config wins over the nearest file.
    f.write(
        "strict.toml",
        "[severity]\nunattributed-quote = \"error\"\n",
    );
    let o = f.run(&["check", "news", "--config", "strict.toml"]);
    assert_eq!(o.code, 1);
    assert!(o.stdout.contains("error[unattributed-quote]"));
    // A bad configuration names file, line and key, and stops with 2.
    f.write("bad.toml", "[severity]\n\nunattributed-quote = \"loud\"\n");
    let o = f.run(&["check", "news", "--config", "bad.toml"]);
    assert_eq!(o.code, 2);
    assert!(o.stdout.is_empty());
    assert!(
        o.stderr.contains("bad.toml:3: invalid configuration: `severity.unattributed-quote`: unknown variant `loud`"),
        "{}",
        o.stderr
    );
    f.write("news/newsmark.toml", "[attribution]\nmin-words = 3\n");
    let o = f.run(&["check", "news/talks.nmk"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("newsmark.toml:2: invalid configuration: `attribution.min-words`"),
        "{}",
        o.stderr
    );
    let o = f.run(&["check", "registry.nmk", "--config", "nowhere.toml"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("nowhere.toml: cannot read configuration"),
        "{}",
        o.stderr
    );
}

#[test]
fn help_and_version() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["--version"]);
    assert_eq!(
        (o.code, o.stdout.trim()),
        (0, concat!("newsmark ", env!("CARGO_PKG_VERSION")))
    );
    for args in [&["--help"][..], &["check", "--help"], &["export", "--help"]] {
        let o = run(dir.path(), args);
        assert_eq!(o.code, 0);
        assert!(o.stdout.contains("Examples:"), "{args:?}: {}", o.stdout);
    }
    let o = run(dir.path(), &["export", "--help"]);
    for format in ["json", "jsonl", "brat"] {
        assert!(o.stdout.contains(format));
    }
}

// ---------------------------------------------------------------------------------------------
// bad input

#[test]
fn bad_inputs_are_reported_and_the_rest_is_checked() {
    let mut f = Fixture::empty();
    f.write("good.nmk", "@a: person \"A\"\n\n@a spoke.\n");
    f.write("empty.nmk", "");
    f.write("image.png", [0x89, b'P', b'N', b'G', 0, 0, 0xff, 0xfe]);
    f.write("binary.nmk", [b'a', 0, 0xff, 1, 2]);
    f.write(
        "latin1.nmk",
        b"first line\nsecond caf\xe9 line\n@undefined\n",
    );
    f.write("utf16.nmk", [0xff, 0xfe, b'a', 0]);
    f.write("quotes.nmk", "\"".repeat(100_000));
    f.write(
        "brackets.nmk",
        format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)),
    );
    f.write("braces.nmk", format!("\"x\"{}", "{".repeat(50_000)));
    f.write("cut.nmk", "Text.\n\n@cut: person \"Sergey");
    f.write("bom.nmk", "\u{feff}@bom: person \"B\"\n\n@bom is here.\n");
    f.write(
        "crlf.nmk",
        "@c: org \"C\"\r\n\r\n@c said \"this is a long quotation\"{@c}.\r\n",
    );
    f.write("sub/deep/nested.nmk", "@nested_ghost again.\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink(f.path(), f.path().join("sub/loop")).unwrap();
        symlink("nowhere.nmk", f.path().join("dangling.nmk")).unwrap();
        symlink("nowhere.txt", f.path().join("dangling.txt")).unwrap();
        let fifo = f.path().join("pipe.nmk");
        let ok = Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "mkfifo");
    }
    let o = f.run(&["check", "--format", "json"]);
    assert_eq!(o.code, 2, "unreadable files: exit 2\n{}", o.stderr);
    let v = json(&o.stdout);
    let problems: BTreeMap<String, String> = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut at = p["path"].as_str().unwrap().to_string();
            if let Some(l) = p["line"].as_u64() {
                at.push_str(&format!(":{l}"));
            }
            (at, p["message"].as_str().unwrap().to_string())
        })
        .collect();
    assert!(problems["binary.nmk:1"].contains("binary"), "{problems:?}");
    assert!(
        problems["latin1.nmk:2"].contains("not valid UTF-8 (byte 0xE9)"),
        "{problems:?}"
    );
    assert!(problems["utf16.nmk"].contains("UTF-16"), "{problems:?}");
    #[cfg(unix)]
    {
        assert!(
            problems["dangling.nmk"].contains("cannot read: broken symbolic link"),
            "{problems:?}"
        );
        assert!(
            problems["pipe.nmk"].contains("not a regular file"),
            "{problems:?}"
        );
        assert!(
            problems["sub/loop"].contains("symbolic link loop"),
            "{problems:?}"
        );
        assert!(!problems.keys().any(|k| k.contains("dangling.txt")));
    }
    assert!(!problems.keys().any(|k| k.contains("image.png")));
    // Every problem is on stderr too, with its path, sorted by path.
    let shown: Vec<&str> = o
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("newsmark: "))
        .collect();
    assert_eq!(shown.len(), problems.len(), "{}", o.stderr);
    for (line, at) in shown.iter().zip(problems.keys()) {
        assert!(line.starts_with(&format!("{at}:")), "{at} vs {line}");
    }
    // Everything else was checked.
    let diags = v["diagnostics"].as_array().unwrap();
    let checked: std::collections::BTreeSet<&str> =
        diags.iter().map(|d| d["path"].as_str().unwrap()).collect();
    for p in ["quotes.nmk", "cut.nmk", "sub/deep/nested.nmk"] {
        assert!(checked.contains(p), "{p} not checked: {checked:?}");
    }
    let files = v["files"].as_u64().unwrap();
    // good, empty, quotes, brackets, braces, cut, bom, crlf and nested (once, despite the loop).
    assert_eq!(files, 9);
    let of = |path: &str| -> Vec<&Value> { diags.iter().filter(|d| d["path"] == path).collect() };
    assert!(of("good.nmk").is_empty() && of("empty.nmk").is_empty());
    assert!(of("bom.nmk").is_empty(), "{:?}", of("bom.nmk"));
    assert!(of("crlf.nmk").is_empty(), "{:?}", of("crlf.nmk"));
    // The definition cut off mid-way is a syntax error on its line.
    assert!(of("cut.nmk")
        .iter()
        .any(|d| d["code"] == "syntax" && d["line"] == 3));
    assert_eq!(of("quotes.nmk").len(), 99_998);
}

#[test]
fn big_file_is_checked_to_the_end() {
    let mut f = Fixture::empty();
    let line = "The minister spoke about the economy and the weather in the region today.\n";
    let mut text = String::with_capacity(50 * 1024 * 1024 + 100);
    text.push_str("@m: person \"The Minister\"\n\n");
    let n = 50 * 1024 * 1024 / line.len();
    for _ in 0..n {
        text.push_str(line);
    }
    text.push_str("\n@m met @nobody.\n");
    assert!(text.len() >= 50 * 1024 * 1024);
    f.write("big.nmk", &text);
    let o = f.run(&["check", "big.nmk"]);
    assert_eq!(o.code, 1);
    let last_line = text.lines().count();
    assert_eq!(
        o.stdout.trim(),
        format!("big.nmk:{last_line}:9: error[undefined-entity]: mention of `@nobody`, which is defined nowhere in the workspace")
    );
}

#[test]
fn a_file_at_the_size_limit_is_skipped_with_its_size() {
    let mut f = Fixture::empty();
    f.write("ok.nmk", "@a: person \"A\"\n\n@a spoke.\n");
    // A sparse file of exactly 1 GiB, the limit (nothing is written or read).
    let huge = std::fs::File::create(f.path().join("huge.nmk")).unwrap();
    huge.set_len(1 << 30).unwrap();
    let o = f.run(&["check"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "huge.nmk: 1.1 GB, at or over the 1 GiB limit for one file, so the file is skipped"
        ),
        "{}",
        o.stderr
    );
    assert!(
        o.stdout.is_empty(),
        "ok.nmk is checked and clean: {}",
        o.stdout
    );
}

#[cfg(unix)]
#[test]
fn unreadable_files_are_named() {
    use std::os::unix::fs::PermissionsExt;
    let mut f = Fixture::empty();
    f.write("ok.nmk", "Fine.\n");
    f.write("secret/locked.nmk", "Hidden.\n");
    let locked = f.path().join("secret/locked.nmk");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&locked).is_ok() {
        // Running as root: permissions do not stop reading. Other tests cover unreadable
        // paths (dangling links, FIFOs, missing files).
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
        return;
    }
    let o = f.run(&["check"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("secret/locked.nmk: cannot read: permission denied"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("1 file"), "{}", o.stderr);
}

#[test]
fn empty_folder_says_so() {
    let f = Fixture::empty();
    let o = f.run(&["check"]);
    assert_eq!(o.code, 0);
    assert!(
        o.stderr.contains("no .nmk files found in ."),
        "{}",
        o.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// export

#[test]
fn export_json_offsets_slice_the_text() {
    let f = Fixture::new();
    let o = f.run(&["export", "--format", "json"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let docs = json(&o.stdout);
    let docs = docs.as_array().unwrap();
    let paths: Vec<&str> = docs.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["news/brief.nmk", "news/talks.nmk", "registry.nmk"]);
    let mut mentions = 0;
    for d in docs {
        let text = d["text"].as_str().unwrap();
        for key in [
            "path",
            "meta",
            "text",
            "entities",
            "mentions",
            "quotes",
            "diagnostics",
        ] {
            assert!(!d[key].is_null(), "{key}");
        }
        for m in d["mentions"].as_array().unwrap() {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(chars(text, s, e), m["surface"].as_str().unwrap(), "{m}");
            assert!(m["line"].as_u64().unwrap() >= 1 && m["column"].as_u64().unwrap() >= 1);
            mentions += 1;
        }
        for q in d["quotes"].as_array().unwrap() {
            let (s, e) = (
                q["start"].as_u64().unwrap() as usize,
                q["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(chars(text, s, e), q["text"].as_str().unwrap(), "{q}");
            let kind = q["attribution"].as_str().unwrap();
            assert!([
                "explicit",
                "inferred",
                "continuation",
                "none",
                "not-a-quote"
            ]
            .contains(&kind));
            assert!(q.get("speaker").is_some() && q.get("cue").is_some());
        }
        // Markup is gone.
        for markup in ["{@", "%%", "---", "@lavrov:"] {
            assert!(!text.contains(markup), "{markup} in {text}");
        }
    }
    assert!(mentions >= 8);
    let talks = &docs[1];
    assert_eq!(talks["meta"]["title"], "Lavrov in Tokyo");
    assert!(talks["text"]
        .as_str()
        .unwrap()
        .starts_with("Talks in «Tokyo»\n\nСергей Лавров met Fumio Kishida in Tokyo."));
    let lavrov = talks["entities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "lavrov")
        .unwrap();
    assert_eq!(lavrov["defined_in"], "registry.nmk");
    assert_eq!(lavrov["properties"]["wikidata"], "Q80137");
    insta::assert_snapshot!("export_json", o.stdout);
}

#[test]
fn export_jsonl_is_one_document_per_line() {
    let f = Fixture::new();
    let o = f.run(&["export", "--format", "jsonl"]);
    assert_eq!(o.code, 0);
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert_eq!(lines.len(), 3);
    let json_docs = json(&f.run(&["export"]).stdout);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(json(l), json_docs[i], "jsonl line {i} is the json document");
    }
    insta::assert_snapshot!("export_jsonl", o.stdout);
}

#[test]
fn export_writes_to_a_file_but_never_over_an_input() {
    let f = Fixture::new();
    let o = f.run(&["export", "news", "--out", "news/talks.nmk"]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("news/talks.nmk: is an input file; refusing to overwrite it"),
        "{}",
        o.stderr
    );
    let o = f.run(&[
        "export",
        "news",
        "--format",
        "jsonl",
        "--out",
        "./news/../news/brief.nmk",
    ]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    let o = f.run(&["export", "news", "--format", "jsonl", "--out", "docs.jsonl"]);
    assert_eq!(o.code, 0);
    assert!(o.stdout.is_empty());
    let written = std::fs::read_to_string(f.path().join("docs.jsonl")).unwrap();
    assert_eq!(written.lines().count(), 2);
}

/// brat's own check: each `T` line's text is the document text of its fragments joined by a
/// space; every referenced annotation exists.
fn assert_valid_brat(txt: &str, ann: &str, conf: &str) {
    let chars: Vec<char> = txt.chars().collect();
    let mut ids = std::collections::HashSet::new();
    let types: Vec<&str> = conf
        .split("[relations]")
        .next()
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('[') && !l.is_empty())
        .collect();
    for line in ann.lines() {
        let fields: Vec<&str> = line.splitn(3, '\t').collect();
        let id = fields[0];
        assert!(ids.insert(id.to_string()), "duplicate id {id}");
        match &id[..1] {
            "T" => {
                let (ty, offsets) = fields[1].split_once(' ').unwrap();
                assert!(types.contains(&ty), "type {ty} not in annotation.conf");
                let mut parts = Vec::new();
                for frag in offsets.split(';') {
                    let (s, e) = frag.split_once(' ').unwrap();
                    let (s, e): (usize, usize) = (s.parse().unwrap(), e.parse().unwrap());
                    assert!(s < e && e <= chars.len(), "{line}");
                    let t: String = chars[s..e].iter().collect();
                    assert!(!t.contains('\n'), "{line}");
                    parts.push(t);
                }
                assert_eq!(fields[2], parts.join(" "), "{line}");
            }
            "R" => {
                let mut f = fields[1].split(' ');
                assert!(["Speaker", "Via"].contains(&f.next().unwrap()));
                for arg in f {
                    let target = arg.split_once(':').unwrap().1;
                    assert!(ids.contains(target), "{line}: {target} not defined before");
                }
            }
            "N" => {
                let f: Vec<&str> = fields[1].split(' ').collect();
                assert_eq!(f[0], "Reference");
                assert!(ids.contains(f[1]), "{line}");
                assert!(f[2].starts_with("Wikidata:Q"), "{line}");
            }
            "#" => {
                let f: Vec<&str> = fields[1].split(' ').collect();
                assert_eq!(f[0], "AnnotatorNotes");
                assert!(ids.contains(f[1]), "{line}");
            }
            _ => panic!("unexpected line {line}"),
        }
    }
}

#[test]
fn export_brat() {
    let f = Fixture::new();
    let o = f.run(&["export", ".", "--format", "brat", "--out", "out"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let out = f.path().join("out");
    let conf = std::fs::read_to_string(out.join("annotation.conf")).unwrap();
    assert!(std::fs::read_to_string(out.join("tools.conf"))
        .unwrap()
        .contains("Wikidata"));
    let mut all = String::new();
    for stem in ["news/brief", "news/talks", "registry"] {
        let txt = std::fs::read_to_string(out.join(format!("{stem}.txt"))).unwrap();
        let ann = std::fs::read_to_string(out.join(format!("{stem}.ann"))).unwrap();
        assert_valid_brat(&txt, &ann, &conf);
        all.push_str(&format!("=== {stem}.txt\n{txt}\n=== {stem}.ann\n{ann}"));
    }
    let talks = std::fs::read_to_string(out.join("news/talks.ann")).unwrap();
    // Mentions typed by kind, quotations, speaker relations, notes, Wikidata references.
    assert!(talks.contains("\tPerson "), "{talks}");
    assert!(talks.contains("\tPlace "), "{talks}");
    assert!(talks.contains("\tQuotation "), "{talks}");
    assert!(
        talks
            .lines()
            .any(|l| l.starts_with("R") && l.contains("\tSpeaker Arg1:T")),
        "{talks}"
    );
    assert!(
        talks
            .lines()
            .any(|l| l.starts_with("R") && l.contains("\tVia Arg1:T")),
        "{talks}"
    );
    assert!(talks.contains("AnnotatorNotes"), "{talks}");
    assert!(
        talks.contains("\tattribution: explicit; cue: {@lavrov via=@tass}"),
        "{talks}"
    );
    assert!(
        talks.contains("Reference T1 Wikidata:Q80137\tSergey Lavrov"),
        "{talks}"
    );
    // The quotation that spans a line break is split into fragments.
    assert!(
        talks
            .lines()
            .any(|l| l.contains("Quotation") && l.contains(';')),
        "{talks}"
    );
    // Nothing was written next to the inputs.
    assert!(!f.path().join("news/talks.txt").exists());
    insta::assert_snapshot!("export_brat", all);
    insta::assert_snapshot!("export_brat_conf", conf);
}

#[test]
fn export_brat_refuses_to_overwrite_inputs() {
    let mut f = Fixture::empty();
    f.write("a.nmk", "@x: person \"X\"\n\n@x spoke.\n");
    // `a.txt` would be an output of `a.nmk`, and it is an input named on the command line.
    f.write("a.txt", "do not touch\n");
    let o = f.run(&["export", "a.nmk", "a.txt", "--format", "brat", "--out", "."]);
    assert_eq!(o.code, 2);
    assert!(
        o.stderr
            .contains("is an input file; refusing to overwrite it"),
        "{}",
        o.stderr
    );
    assert!(
        !f.path().join("annotation.conf").exists(),
        "nothing written when refused"
    );
    let o = f.run(&["export", "a.nmk", "--format", "brat", "--out", "a.nmk"]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("must be a folder"), "{}", o.stderr);
}

// ---------------------------------------------------------------------------------------------
// the shipped example

#[test]
fn examples_check_with_no_error_or_warning() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let before = snapshot_files(&root.join("examples"));
    let o = run(root, &["check", "examples", "--format", "json"]);
    assert_eq!(snapshot_files(&root.join("examples")), before);
    let v = json(&o.stdout);
    let bad: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error" || d["severity"] == "warning")
        .map(|d| format!("{}:{}: {}", d["path"], d["line"], d["message"]))
        .collect();
    assert!(
        bad.is_empty(),
        "examples/ must check clean:\n{}",
        bad.join("\n")
    );
    assert_eq!(o.code, 0);
}
