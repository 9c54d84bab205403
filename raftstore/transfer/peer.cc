#include "raftstore/transfer/peer.h"

#include "raftstore/common/endpoint.h"
#include "raftstore/common/parse_number.h"

namespace raftstore::transfer {

namespace {

// Splits "HOST:PORT" (the one strict parser); the error names `what`.
Status SplitHostPort(std::string_view text, const std::string& what, std::string* host, uint16_t* port) {
  RS_ASSIGN_OR_RETURN(raftstore::HostPort hp, raftstore::ParseHostPort(text, what));
  *host = std::move(hp.host);
  *port = hp.port;
  return Status::OK();
}

}  // namespace

Result<Peer> ParsePeer(const std::string& text) {
  const std::string what = "--initial-cluster \"" + text + "\"";
  size_t eq = text.find('=');
  if (eq == std::string::npos) return Status::InvalidArgument(what + ": expected ID=HOST:PORT");
  Peer peer;
  if (!ParseDecimalU64(std::string_view(text).substr(0, eq), &peer.id)) {
    return Status::InvalidArgument(what + ": node id must be a positive integer");
  }
  if (peer.id == 0) return Status::InvalidArgument(what + ": node id 0 is reserved; use 1 or more");
  std::string_view rest = std::string_view(text).substr(eq + 1);
  size_t comma = rest.find(',');
  RS_RETURN_IF_ERROR(SplitHostPort(rest.substr(0, comma), what, &peer.host, &peer.port));
  if (comma != std::string_view::npos) {
    std::string gh;
    uint16_t gp = 0;
    RS_RETURN_IF_ERROR(SplitHostPort(rest.substr(comma + 1), what + " (gRPC address)", &gh, &gp));
    peer.grpc_api_advertise_address = std::string(rest.substr(comma + 1));
  }
  return peer;
}

}  // namespace raftstore::transfer
