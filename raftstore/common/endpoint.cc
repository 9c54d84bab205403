#include "raftstore/common/endpoint.h"

#include <cctype>
#include <charconv>

namespace raftstore {

namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// Inside [ ]: hex digits, ':' and '.' (an embedded IPv4), '%' and a zone name ("fe80::1%eth0").
bool IsIpv6Char(char c) { return IsNameChar(c) || c == ':' || c == '%'; }

}  // namespace

Result<HostPort> ParseHostPort(std::string_view text, const std::string& what, PortZero port_zero) {
  auto refuse = [&what](const std::string& why) { return Status::InvalidArgument(what + ": " + why); };
  if (text.find_first_of(" \t\r\n") != std::string_view::npos) {
    return refuse("spaces are not allowed in HOST:PORT");
  }
  // The mistakes people make, each named, before the generic checks below.
  if (size_t scheme = text.find("://"); scheme != std::string_view::npos) {
    return refuse("expected HOST:PORT without a scheme, e.g. \"" + std::string(text.substr(scheme + 3)) +
                  "\" instead of \"" + std::string(text) + "\"");
  }
  if (text.find(',') != std::string_view::npos) {
    return refuse("expected one HOST:PORT, not a list: give each address as a value of its own (repeat the flag)");
  }
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return refuse(text.empty() ? std::string("expected HOST:PORT, e.g. 127.0.0.1:9191")
                               : "no port: expected HOST:PORT, e.g. \"" + std::string(text) + ":9191\"");
  }
  if (colon == 0) return refuse("no host: expected HOST:PORT, e.g. \"127.0.0.1" + std::string(text) + "\"");
  const std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.find_first_of("[]", 1) != host.size() - 1) {
      return refuse("unbalanced [ in host");
    }
    if (host.size() == 2) return refuse("empty IPv6 address in []");
    for (char c : host.substr(1, host.size() - 2)) {
      if (!IsIpv6Char(c)) return refuse("'" + std::string(1, c) + "' in an IPv6 address");
    }
  } else if (host.find_first_of("[]") != std::string_view::npos) {
    return refuse("unbalanced ] in host");
  } else if (host.find(':') != std::string_view::npos) {
    return refuse("an IPv6 address needs brackets: [ADDRESS]:PORT");
  } else {
    for (char c : host) {
      if (!IsNameChar(c)) {
        return refuse("'" + std::string(1, c) +
                      "' in host: HOST is a name or address of letters, digits, '.', '-' and '_' "
                      "(or [IPv6]), with no user, scheme or path");
      }
    }
  }
  const std::string_view digits = text.substr(colon + 1);
  uint32_t port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || port > 65535) {
    return refuse(port_zero == PortZero::kAllow ? "port must be a number from 0 (any free port) to 65535"
                                                : "port must be a number from 1 to 65535");
  }
  if (port == 0 && port_zero == PortZero::kRefuse) {
    return refuse("port must be a number from 1 to 65535");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

std::string FlagValue(std::string_view flag, std::string_view value) {
  return std::string(flag) + " \"" + std::string(value) + "\"";
}

}  // namespace raftstore
