// Incremental SHA-256 (OpenSSL EVP underneath).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace raftstore {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  // Starts over, as a new object would (keeps the OpenSSL context: cheap for many short inputs).
  void Reset();
  void Update(std::string_view data);
  void Update(const void* data, size_t n) { Update(std::string_view(static_cast<const char*>(data), n)); }
  // Returns the lowercase hex digest (raftstore/common/hex.h). The object must not be updated afterwards.
  std::string HexDigest();
  std::array<uint8_t, 32> Digest();

  // One-shot helpers.
  static std::string Hex(std::string_view data);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace raftstore
