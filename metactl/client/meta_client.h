// The live commands' names for the client library (raftstore/client/meta_client.h), in
// metactl::client where those commands, metactl/live_export.cc and the backup bridge look them
// up. Nothing is defined here.
#pragma once

#include "raftstore/client/meta_client.h"

namespace metactl::client {

using raftstore::client::FormatDuration;
using raftstore::client::kDefaultAddress;
using raftstore::client::kDefaultTimeoutSec;
using raftstore::client::kProbeTimeout;
using raftstore::client::MetaClient;

}  // namespace metactl::client
