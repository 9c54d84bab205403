// What a backup takes from the command line, shared by `metactl backup` (one backup) and
// `metactl agent` (scheduled backups): the metadata source (--grpc-api-address with its TLS and
// login flags, or --meta-raft-dir), --data, the block and compression settings, the prefix
// filter, the S3 and encryption flags. One place builds the BackupOptions and the MetaSource,
// so both commands back up the same way.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "metactl/client/credential_flags.h"
#include "metactl/flag_aliases.h"
#include "metactl/prefix_flags.h"
#include "raftstore/backup/backup.h"
#include "raftstore/backup/object_store.h"
#include "raftstore/common/status.h"

namespace metactl {

class BackupSettings {
 public:
  // Declares the flags on `cmd`.
  void Add(CLI::App* cmd);

  // The --grpc-api-address values (and those of the old spelling --meta-grpc, with a warning
  // naming `cmd`); InvalidArgument `--meta-grpc: "VALUE": why` for a malformed old one.
  raftstore::Result<std::vector<std::string>> Addresses(const std::string& cmd) const;

  // Checks the other flags and builds the options for the metadata of `grpc_addrs` (from
  // Addresses()) or --meta-raft-dir (progress: draw progress lines on stderr). InvalidArgument
  // (a usage error) for a bad combination or value.
  // `filter` (nullable) replaces the --include-prefix/--exclude-prefix filter (the agent's
  // POST /backups).
  raftstore::Result<raftstore::backup::BackupOptions> Options(
      const std::vector<std::string>& grpc_addrs, bool progress,
      const raftstore::KeyFilter* filter = nullptr) const;

  // " (filtered: ...)" or "" (the summary line's end), and the filter as text ("" for none).
  raftstore::Result<std::string> FilteredSuffixText() const;
  raftstore::Result<std::string> FilterText() const;

  const raftstore::backup::S3Settings& s3() const { return s3_; }
  const std::string& key_file() const { return key_file_; }

 private:
  GrpcAddressFlag grpc_;
  client::CredentialFlags login_;
  std::string raft_dir_, block_size_text_ = "1MiB", compression_text_ = "zstd:3";
  std::vector<std::string> data_dirs_;
  bool full_scan_ = false, break_lock_ = false;
  int workers_ = 4;
  PrefixFlags prefixes_;
  raftstore::backup::S3Settings s3_;
  std::string key_file_;  // --encryption-key-file
};

}  // namespace metactl
