//! Kinesis streams and their enhanced fan-out consumers (Terraform's
//! `streams.tf`).

use crate::emit::infra::{Attribute, Kind, Resource, Sink, Value, system_key};
use crate::emit::{Context, names};
use crate::graph::messaging;
use crate::model::aws_names::NameKind;
use crate::model::{StreamCapacity, StreamId};

/// Every declared stream, encrypted with the system key, and the enhanced
/// fan-out consumer of each of its readers when several services read it.
pub fn streams(context: &Context<'_>, out: &mut Sink<'_>) {
    let system = context.system;
    for (index, stream) in system.streams.iter().enumerate() {
        let id = StreamId(index);
        let name = stream.name.text.as_str();
        let mut declared = Resource::new(Kind::Stream, name)
            .with(
                "Name",
                Value::Name(names::aws(context, NameKind::Stream, name)),
            )
            .with(
                "RetentionPeriodHours",
                stream.retention.value.as_millis().div_ceil(3_600_000),
            );
        let mode = match stream.capacity.value {
            StreamCapacity::OnDemand => "ON_DEMAND",
            StreamCapacity::Provisioned { shards } => {
                declared = declared.with("ShardCount", u64::from(shards));
                "PROVISIONED"
            }
        };
        declared = declared
            .with(
                "StreamModeDetails",
                Value::Object(vec![("StreamMode", Value::from(mode))]),
            )
            .with(
                "StreamEncryption",
                Value::Object(vec![
                    ("EncryptionType", Value::from("KMS")),
                    ("KeyId", system_key()),
                ]),
            );
        if !stream.doc.is_empty() {
            declared = declared.note(&stream.doc.join("\n"));
        }
        let arn = declared.key.get(Attribute::Arn);
        out(declared);
        if !messaging::enhanced_fan_out(context.graph, id) {
            continue;
        }
        for reader in messaging::stream_readers(context.graph, id) {
            let Some(service) = system.service(reader) else {
                context.internal(format!(
                    "the reader {} of the stream {name} is not in the system",
                    reader.0
                ));
                continue;
            };
            let service = service.name.text.as_str();
            out(
                Resource::new(Kind::StreamConsumer, format!("{name}--{service}"))
                    .with(
                        "ConsumerName",
                        names::bare(context, NameKind::StreamConsumer, service),
                    )
                    .with("StreamARN", arn.clone())
                    .note(&format!(
                        "{service} reads {name} through its own enhanced fan-out consumer: several services read it."
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    const SOURCE: &str = "system watched { region = \"us-east-1\" }\n\
        stream activity { }\n\
        event Step { stream = activity  schema { id: string } }\n\
        service writer { compute = lambda { runtime = \"python3.13\" }  publishes Step }\n\
        service first { compute = lambda { runtime = \"python3.13\" }  consumes Step }\n\
        service second { compute = lambda { runtime = \"python3.13\" }  consumes Step }\n";

    #[test]
    fn a_stream_reader_the_system_does_not_hold_is_an_internal_error_and_no_file() {
        let analysis = crate::analyze(SOURCE);
        let (Some(mut system), Some(graph)) = (analysis.system, analysis.graph) else {
            panic!("the system resolves: {:?}", analysis.diagnostics);
        };
        let context = crate::emit::Context::new(&system, &graph);
        let mut consumers = 0;
        super::streams(&context, &mut |resource| {
            if resource.key.kind == crate::emit::infra::Kind::StreamConsumer {
                consumers += 1;
            }
        });
        assert_eq!(consumers, 2, "each reader has its own consumer");
        assert!(context.diagnostics().is_empty());
        // The graph still names the last reader; the system no longer
        // holds it.
        system.services.pop();
        for diagnostics in [
            crate::emit::terraform::emit(&system, &graph).err(),
            crate::emit::cloudformation::emit(&system, &graph).err(),
        ] {
            let found: Vec<(&str, String)> = diagnostics
                .unwrap_or_default()
                .iter()
                .map(|diagnostic| (diagnostic.code.code, diagnostic.message.clone()))
                .filter(|(_, message)| message.contains("stream activity"))
                .collect();
            assert_eq!(
                found,
                [(
                    "M001",
                    "meshc found an inconsistency in its own model: the reader 2 of the stream activity is not in the system".to_string()
                )]
            );
        }
    }
}
