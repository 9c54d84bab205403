#include "raftstore/export_format/export_chunk_writer.h"

#include <utility>

namespace raftstore {

namespace {
// Full chunks that may wait for the sink: one being written and one more keep both threads busy.
constexpr size_t kChunksQueued = 2;
}  // namespace

ExportChunkWriter::ExportChunkWriter(Options options, Sink sink)
    : options_(options),
      sink_(std::move(sink)),
      stream_(options.footer),
      output_(kChunksQueued, [this](std::string& chunk) -> Status {
        stream_.Hash(chunk);
        return sink_(chunk);
      }) {}

Status ExportChunkWriter::Add(const Record& record) {
  RS_RETURN_IF_ERROR(stream_.Append(record, &chunk_));
  ++chunk_lines_;
  // By the bytes of the lines without their newlines, as ExportRequest.chunk_bytes counts them.
  if (chunk_.size() - chunk_lines_ >= options_.chunk_bytes || chunk_lines_ >= options_.chunk_lines) {
    return HandOver();
  }
  return Status::OK();
}

Status ExportChunkWriter::HandOver() {
  chunk_lines_ = 0;
  return output_.Push(std::exchange(chunk_, output_.Spare()));
}

Status ExportChunkWriter::Finish() {
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
