#include "raftstore/backup/sigv4.h"

#include <algorithm>

#include "raftstore/backup/hash.h"
#include "raftstore/common/hex.h"
#include "raftstore/common/sha256.h"

namespace raftstore::backup {

std::string UriEncode(std::string_view in, bool keep_slash) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(in.size() * 3);
  for (unsigned char c : in) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<std::pair<std::string, std::string>> enc;
  enc.reserve(params.size());
  for (const auto& [k, v] : params) enc.emplace_back(UriEncode(k, false), UriEncode(v, false));
  std::sort(enc.begin(), enc.end());
  std::string out;
  for (const auto& [k, v] : enc) {
    if (!out.empty()) out.push_back('&');
    out += k;
    out.push_back('=');
    out += v;
  }
  return out;
}

SigV4Result SignV4(const SigV4Request& req, const std::string& access_key,
                   const std::string& secret_key) {
  SigV4Result r;
  std::string canonical_headers;
  for (const auto& [name, value] : req.headers) {
    canonical_headers += name + ":" + value + "\n";
    if (!r.signed_headers.empty()) r.signed_headers.push_back(';');
    r.signed_headers += name;
  }
  r.canonical_request = req.method + "\n" + req.canonical_uri + "\n" + req.canonical_query + "\n" +
                        canonical_headers + "\n" + r.signed_headers + "\n" +
                        req.payload_sha256_hex;
  std::string date = req.amz_date.substr(0, 8);
  std::string scope = date + "/" + req.region + "/" + req.service + "/aws4_request";
  r.string_to_sign = "AWS4-HMAC-SHA256\n" + req.amz_date + "\n" + scope + "\n" +
                     raftstore::Sha256::Hex(r.canonical_request);
  std::string k = HmacSha256("AWS4" + secret_key, date);
  k = HmacSha256(k, req.region);
  k = HmacSha256(k, req.service);
  k = HmacSha256(k, "aws4_request");
  std::string sig = HmacSha256(k, r.string_to_sign);
  r.signature = HexEncode(sig);
  r.authorization = "AWS4-HMAC-SHA256 Credential=" + access_key + "/" + scope +
                    ", SignedHeaders=" + r.signed_headers + ", Signature=" + r.signature;
  return r;
}

}  // namespace raftstore::backup
