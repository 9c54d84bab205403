#include "raftstore/common/endpoint_flag.h"

#include "raftstore/common/endpoint.h"

namespace raftstore {

CLI::Validator HostPortFlag(PortZero port_zero) {
  return CLI::Validator(
      [port_zero](std::string& value) -> std::string {
        // CLI11 prefixes the flag's name: the value, quoted, is the rest of `what`.
        auto hp = ParseHostPort(value, "\"" + value + "\"", port_zero);
        return hp.ok() ? std::string() : hp.status().message();
      },
      // No description: CLI11 would append it to the type in --help ("TEXT:HOST:PORT"); each
      // flag's help text says HOST:PORT.
      "", "HOST:PORT");
}

}  // namespace raftstore
