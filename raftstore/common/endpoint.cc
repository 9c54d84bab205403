#include "raftstore/common/endpoint.h"

#include <charconv>

namespace raftstore {

Result<HostPort> ParseHostPort(std::string_view text, const std::string& what) {
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) {
    return Status::InvalidArgument(what + ": spaces are not allowed in HOST:PORT");
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument(what + ": expected HOST:PORT");
  }
  const std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.find_first_of("[]", 1) != host.size() - 1) {
      return Status::InvalidArgument(what + ": unbalanced [ in host");
    }
    if (host.size() == 2) return Status::InvalidArgument(what + ": empty IPv6 address in []");
  } else if (host.find_first_of("[]") != std::string_view::npos) {
    return Status::InvalidArgument(what + ": unbalanced ] in host");
  } else if (host.find(':') != std::string_view::npos) {
    return Status::InvalidArgument(what + ": an IPv6 address needs brackets: [ADDRESS]:PORT");
  }
  const std::string_view digits = text.substr(colon + 1);
  uint32_t port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
    return Status::InvalidArgument(what + ": port must be a number from 1 to 65535");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

std::string FlagValue(std::string_view flag, std::string_view value) {
  return std::string(flag) + " \"" + std::string(value) + "\"";
}

}  // namespace raftstore
