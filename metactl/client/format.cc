#include "metactl/client/format.h"

#include <ctime>
#include <limits>

#include "raftstore/common/utf8.h"

namespace metactl::client {

using raftstore::Result;
using raftstore::Status;

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("duration \"" + std::string(text) + "\": " + why +
                                   " (use a number and a unit: 250ms, 30s, 5m, 1h, 2d, or a sum "
                                   "like 1h30m)");
  };
  if (text.empty()) return bad("empty");
  constexpr uint64_t kMax = std::numeric_limits<int64_t>::max();
  uint64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] < '0' || text[i] > '9') return bad("expected a number at \"" +
                                                  std::string(text.substr(i)) + "\"");
    uint64_t n = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (n > (kMax - 9) / 10) return bad("too large");
      n = n * 10 + static_cast<uint64_t>(text[i] - '0');
      ++i;
    }
    size_t u = i;
    while (i < text.size() && (text[i] < '0' || text[i] > '9')) ++i;
    std::string_view unit = text.substr(u, i - u);
    uint64_t mult = 0;
    if (unit == "ms") mult = 1;
    else if (unit == "s") mult = 1000;
    else if (unit == "m") mult = 60'000;
    else if (unit == "h") mult = 3'600'000;
    else if (unit == "d") mult = 86'400'000;
    else if (unit.empty()) return bad("missing unit after " + std::to_string(n));
    else return bad("unknown unit \"" + std::string(unit) + "\"");
    if (n != 0 && mult > kMax / n) return bad("too large");
    if (total > kMax - n * mult) return bad("too large");
    total += n * mult;
  }
  if (total == 0) return bad("must be more than zero");
  return std::chrono::milliseconds(static_cast<int64_t>(total));
}

bool IsDisplayText(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    if (*p < 0x80 && (*p < 0x20 || *p == 0x7f)) return false;  // C0 controls and DEL
    if (p[0] == 0xC2 && end - p >= 2 && p[1] <= 0x9F) return false;  // C1 controls, U+0080..U+009F
    const size_t n = raftstore::Utf8SequenceLength(p, end);
    if (n == 0) return false;
    p += n;
  }
  return true;
}

std::string Base64Encode(std::string_view data) {
  static const char* kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back(kAlphabet[v & 63]);
  }
  if (i < data.size()) {
    uint32_t v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string FormatTimeMs(uint64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (unix_ms % 1000 != 0) {
    char ms[8];
    std::snprintf(ms, sizeof ms, ".%03u", static_cast<unsigned>(unix_ms % 1000));
    out += ms;
  }
  return out + "Z";
}

std::string DisplayValue(std::string_view data) {
  if (IsDisplayText(data)) return std::string(data);
  return "hex:" + HexEncode(data);
}

Json SeqVJson(const metasrv::SeqV& v) {
  Json j = Json::object();
  j["seq"] = v.seq();
  j["expire_at_ms"] = v.has_expire_at_ms() ? Json(v.expire_at_ms()) : Json();
  j["data"] = Base64Encode(v.data());
  j["text"] = IsDisplayText(v.data()) ? Json(v.data()) : Json();
  return j;
}

std::string DumpJson(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace metactl::client
