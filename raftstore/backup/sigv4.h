// AWS Signature Version 4 pieces.
//
// The S3 store lets libcurl sign (CURLOPT_AWS_SIGV4); what it builds itself and hands to curl
// (the RFC 3986 encoding of keys and query strings, sorted query parameters, the
// x-amz-content-sha256 value) must match what a SigV4 verifier expects. This module computes a
// full signature independently so tests can check both our pieces (against AWS's published
// example) and curl's Authorization header (against a request curl actually sent).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace raftstore::backup {

// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - _ . ~) stay; every other byte
// becomes %XX (uppercase). With keep_slash, '/' stays (for object key paths).
std::string UriEncode(std::string_view in, bool keep_slash);

// "k1=v1&k2=v2" sorted by (encoded) key, each key and value UriEncode'd (slash encoded).
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& params);

struct SigV4Request {
  std::string method;          // "GET"
  std::string canonical_uri;   // already encoded, e.g. "/test.txt"
  std::string canonical_query; // CanonicalQueryString(...)
  // Header names lowercase; values trimmed. All of these are signed.
  std::map<std::string, std::string> headers;
  std::string payload_sha256_hex;
  std::string amz_date;        // 20130524T000000Z
  std::string region;          // us-east-1
  std::string service = "s3";
};

struct SigV4Result {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;
  std::string signature;       // lowercase hex
  std::string authorization;   // full Authorization header value
};

SigV4Result SignV4(const SigV4Request& req, const std::string& access_key,
                   const std::string& secret_key);

}  // namespace raftstore::backup
