#include "raftstore/transfer/peer.h"

#include <charconv>

namespace raftstore::transfer {

namespace {

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits "HOST:PORT" (HOST may be "[v6]"); the error says what is wrong with `what`.
Status SplitHostPort(std::string_view text, const std::string& what, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument(what + ": expected HOST:PORT");
  }
  std::string_view h = text.substr(0, colon);
  if (h.front() == '[' && h.back() != ']') return Status::InvalidArgument(what + ": unbalanced [ in host");
  uint64_t p = 0;
  if (!ParseU64(text.substr(colon + 1), &p) || p == 0 || p > 65535) {
    return Status::InvalidArgument(what + ": port must be a number from 1 to 65535");
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(p);
  return Status::OK();
}

}  // namespace

Result<Peer> ParsePeer(const std::string& text) {
  const std::string what = "--initial-cluster \"" + text + "\"";
  size_t eq = text.find('=');
  if (eq == std::string::npos) return Status::InvalidArgument(what + ": expected ID=HOST:PORT");
  Peer peer;
  if (!ParseU64(std::string_view(text).substr(0, eq), &peer.id)) {
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
