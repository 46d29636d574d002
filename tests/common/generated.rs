//! The generated systems of the benchmark and of the tests of huge input:
//! per service, an event, a queue with a dead-letter queue, a table and the
//! relations between them, so that the sizes grow the way real systems do;
//! and the inputs that used to hang. Shared by `benches/frontend.rs` and
//! the tests of huge input.

use std::fmt::Write as _;

/// A budget the system's estimate stays under (about $18 a month a service),
/// so that the whole check runs at every size.
fn budget(services: usize) -> usize {
    100_000.max(services * 25)
}

/// A system of `services` services, about 26 lines each.
pub fn generate(services: usize) -> String {
    let mut text = String::new();
    // From a hundred services on, one account and one bus are not enough:
    // over a thousand roles, an endpoint's security group with a rule per
    // service, a bus with a rule per service (M241, M246, M247, M249). The
    // benchmark measures meshc, and nothing it generates is deployed.
    let allow = |codes: &str| {
        if services >= 100 {
            format!("// meshc:allow({codes}) reason: \"a benchmark input, never deployed\"\n")
        } else {
            String::new()
        }
    };
    let _ = writeln!(
        text,
        "/// A generated system of {services} services.\n{}system generated {{\n  region = \"us-east-1\"\n  budget = ${}\n}}\n",
        allow("M249"),
        budget(services)
    );
    let _ = writeln!(
        text,
        "{}network main {{\n  cidr  = 10.0.0.0/16\n  zones = 3\n  nat   = single\n  subnet edge {{ tier = public }}\n  subnet app  {{ tier = private }}\n  subnet data {{ tier = isolated }}\n}}\n\n{}bus events {{ archive = 7d }}\n",
        allow("M241, M247"),
        allow("M246, M249")
    );
    for index in 0..services {
        let previous = index.checked_sub(1);
        let _ = writeln!(
            text,
            "/// Something happened in service {index}.\nevent Happened{index} {{\n  bus    = events\n  source = svc-{index}\n  schema {{ id: string  status: \"new\" | \"done\"  total: number }}\n}}\n"
        );
        let _ = writeln!(
            text,
            "queue inbox-{index} {{\n  visibility = 3m\n  dlq {{ max_receives = 3 }}\n}}\n\ntable store-{index} {{ partition_key = id: string }}\n"
        );
        let compute = if index % 2 == 0 {
            "fargate { cpu = 0.5  memory = 1GB }".to_string()
        } else {
            "lambda { runtime = \"python3.13\"  memory = 256MB  timeout = 20s }".to_string()
        };
        let _ = writeln!(
            text,
            "service svc-{index} {{\n  compute = {compute}\n  subnet  = app\n  port    = 8080"
        );
        let _ = writeln!(
            text,
            "  uses store-{index} (read_write)\n  publishes Happened{index}"
        );
        if let Some(previous) = previous {
            let _ = writeln!(
                text,
                "  calls svc-{previous} {{ timeout = 2s  retries = 1 }}\n  consumes Happened{previous} where status = \"done\" via inbox-{index}"
            );
        } else {
            let _ = writeln!(text, "  consumes inbox-{index}");
        }
        text.push_str("  usage { requests = 1M }\n}\n\n");
    }
    text
}

/// A worker with `steps` operations and their undos, and a choreographed
/// saga that runs them in order. The quotas a saga this long goes over are
/// allowed, so that the backends measure the whole system.
pub fn choreographed_saga(steps: usize) -> String {
    let operations: Vec<String> = (0..steps)
        .map(|step| format!("do{step}, undo{step}"))
        .collect();
    let saga_steps: Vec<String> = (0..steps)
        .map(|step| format!("  step s{step} {{ do = worker.do{step}  undo = worker.undo{step} }}"))
        .collect();
    format!(
        "system s {{ region = \"us-east-1\" }}\n\
         network main {{\n  cidr  = 10.0.0.0/16\n  zones = 2\n  subnet app {{ tier = private }}\n}}\n\
         // meshc:allow(M246, M249) reason: \"a test input, never deployed\"\n\
         bus b {{}}\n\
         event Started {{\n  bus    = b\n  source = starter\n  schema {{ id: string }}\n}}\n\
         service starter {{\n  compute   = lambda {{ runtime = \"python3.13\" }}\n  subnet    = app\n  publishes Started\n}}\n\
         // meshc:allow(M246) reason: \"a test input, never deployed\"\n\
         service worker {{\n  compute    = lambda {{ runtime = \"python3.13\" }}\n  subnet     = app\n  operations = [{}]\n}}\n\
         // meshc:allow(M244) reason: \"a test input, never deployed\"\n\
         saga big {{\n  mode    = choreographed\n  trigger = Started\n{}\n}}\n",
        operations.join(", "),
        saga_steps.join("\n")
    )
}

/// A service that calls `calls` services nobody declared.
pub fn unknown_calls(calls: usize) -> String {
    let mut text = String::from(
        "system s { region = \"us-east-1\" }\n\
         network main {\n  cidr  = 10.0.0.0/16\n  zones = 2\n  subnet app { tier = private }\n}\n\
         service caller {\n  compute = lambda { runtime = \"python3.13\" }\n  subnet  = app\n",
    );
    for call in 0..calls {
        let _ = writeln!(text, "  calls missing-{call}");
    }
    text.push_str("}\n");
    text
}

/// A call to a name of `length` characters that is one letter away from a
/// declared service, so that did-you-mean has something to compare.
pub fn long_unknown_name(length: usize) -> String {
    let declared = "w".repeat(length);
    let called = format!("{}x", "w".repeat(length - 1));
    format!(
        "system s {{ region = \"us-east-1\" }}\n\
         network main {{\n  cidr  = 10.0.0.0/16\n  zones = 2\n  subnet app {{ tier = private }}\n}}\n\
         service {declared} {{\n  compute = lambda {{ runtime = \"python3.13\" }}\n  subnet  = app\n}}\n\
         service caller {{\n  compute = lambda {{ runtime = \"python3.13\" }}\n  subnet  = app\n  calls {called}\n}}\n"
    )
}

/// `count` queues written on one line each, in a layout `fmt` rewrites.
pub fn queues_in_another_layout(count: usize) -> String {
    let mut text = String::from("system s { region = \"us-east-1\" }\n");
    for queue in 0..count {
        let _ = writeln!(text, "queue q{queue} {{ visibility = 1m }}");
    }
    text
}

/// A small system followed by `count` block comments opened on lines of
/// their own and never closed (the fuzzer's first hang: each unclosed
/// `/*` doubled the parser's work).
pub fn unclosed_block_comments(count: usize) -> String {
    let mut text =
        String::from("system s { region = \"us-east-1\" }\nqueue jobs { visibility = 1m }\n");
    for comment in 0..count {
        let _ = writeln!(text, "/* note {comment}, left open");
    }
    text
}
