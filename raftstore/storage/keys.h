// RocksDB key layout of a raft dir (docs/raft-dir.md). One column family; the first byte of a
// key says what it holds, and within a prefix RocksDB's bytewise order is the export order:
//   'V' "data_version"            the layout version (kDataVersion)
//   'R' "node_id"|"vote"|"committed"|"purged"   raft state, JSON values
//   'L' be64(index)               raft log entries, binary (log_codec.h; JSON before raftdir-v2)
//   'Q' name                      sequences, JSON number
//   'M' "last_applied"|"last_membership"        state machine meta, JSON
//   'N' be64(node_id)             nodes, JSON
//   'E' be64(time_ms) be64(seq)   expire index, JSON {"seq":..,"key":..}
//   'K' key                       key-values, binary SeqV (kv_value.h)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "raftstore/common/prefix_end.h"

namespace raftstore::keys {

inline constexpr char kDataVersionKey[] = "Vdata_version";
// Bumped when the layout changes incompatibly. Open() upgrades kPreviousDataVersion in place
// (upgrade.h) and refuses other values.
inline constexpr char kDataVersion[] = "raftdir-v2";
inline constexpr char kPreviousDataVersion[] = "raftdir-v1";
// Present only while an upgrade from kPreviousDataVersion runs: the last log index converted.
inline const std::string kUpgradeProgress = "Vupgrade_log_index";

inline constexpr char kPrefixRaftState = 'R';
inline constexpr char kPrefixLog = 'L';
inline constexpr char kPrefixSequence = 'Q';
inline constexpr char kPrefixSmMeta = 'M';
inline constexpr char kPrefixNode = 'N';
inline constexpr char kPrefixExpire = 'E';
inline constexpr char kPrefixKv = 'K';

inline const std::string kNodeId = "Rnode_id";
inline const std::string kVote = "Rvote";
inline const std::string kCommitted = "Rcommitted";
inline const std::string kPurged = "Rpurged";
// Present only while a snapshot install is in progress (snapshot_store.h); a
// dir holding it is not exported until metasrv finished the install.
inline const std::string kSnapshotInstall = "Rsnapshot_install";
inline const std::string kLastApplied = "Mlast_applied";
inline const std::string kLastMembership = "Mlast_membership";

void AppendBigEndian64(std::string* out, uint64_t v);
uint64_t ReadBigEndian64(std::string_view in);  // in.size() >= 8

std::string LogKey(uint64_t index);
std::string SequenceKey(std::string_view name);
std::string NodeKey(uint64_t node_id);
std::string ExpireKey(uint64_t time_ms, uint64_t seq);
std::string KvKey(std::string_view key);

using raftstore::PrefixEnd;

}  // namespace raftstore::keys
