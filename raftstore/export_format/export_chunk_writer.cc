#include "raftstore/export_format/export_chunk_writer.h"

#include <utility>
#include <variant>

namespace raftstore {

namespace {
// Full batches or chunks that may wait for the next stage: one being worked on and one more
// keep both threads busy.
constexpr size_t kQueued = 2;

// The bytes a record brings to a batch, as far as they matter: a generic-kv value may be large.
uint64_t PayloadBytes(const Record& record) {
  const auto* kv = std::get_if<KvRec>(&record.body);
  return kv == nullptr ? 0 : kv->key.size() + kv->value.data.size();
}
}  // namespace

ExportChunkWriter::ExportChunkWriter(Options options, Sink sink)
    : options_(options),
      sink_(std::move(sink)),
      stream_(options.footer),
      output_(kQueued,
              [this](std::string& chunk) -> Status {
                stream_.Hash(chunk);
                return sink_(chunk);
              }),
      encoder_(kQueued, [this](Batch& batch) { return Encode(batch); }) {}

ExportChunkWriter::~ExportChunkWriter() {
  // Both stages drop what waits before either is destroyed: the encoder, stopping, must not
  // hand the output a chunk that it would still write.
  output_.Drop();
  encoder_.Drop();
}

Status ExportChunkWriter::Add(Record&& record) {
  RS_RETURN_IF_ERROR(stream_.Admit(record));
  batch_.bytes += PayloadBytes(record);
  if (batch_.size < batch_.records.size()) {
    batch_.records[batch_.size] = std::move(record);
  } else {
    batch_.records.push_back(std::move(record));
  }
  ++batch_.size;
  if (batch_.size < kBatchRecords && batch_.bytes < kBatchBytes) return Status::OK();
  return encoder_.Push(std::exchange(batch_, encoder_.Spare()));
}

Status ExportChunkWriter::Encode(Batch& batch) {
  for (size_t i = 0; i < batch.size; ++i) {
    stream_.Append(batch.records[i], &chunk_);
    ++chunk_lines_;
    // By the bytes of the lines without their newlines, as ExportRequest.chunk_bytes counts them.
    if (chunk_.size() - chunk_lines_ >= options_.chunk_bytes || chunk_lines_ >= options_.chunk_lines) {
      RS_RETURN_IF_ERROR(HandOver());
    }
  }
  return Status::OK();
}

Status ExportChunkWriter::HandOver() {
  chunk_lines_ = 0;
  return output_.Push(std::exchange(chunk_, output_.Spare()));
}

Status ExportChunkWriter::Finish() {
  if (batch_.size > 0) RS_RETURN_IF_ERROR(encoder_.Push(std::move(batch_)));
  RS_RETURN_IF_ERROR(encoder_.Finish());
  // The footer covers every line before it: the output thread must have hashed the chunks it
  // was given; the last one is hashed here and goes out with the footer.
  RS_RETURN_IF_ERROR(output_.Finish());
  stream_.Hash(chunk_);
  if (!stream_.hashed_all()) return Status::Internal("export stream: a chunk was not hashed");
  std::string footer;
  if (stream_.Finish(&footer)) chunk_.append(footer).push_back('\n');
  if (chunk_.empty()) return Status::OK();
  return sink_(chunk_);
}

}  // namespace raftstore
