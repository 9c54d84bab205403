// write_load: concurrent Upsert load against a metasrv; prints throughput and latency
// percentiles. Figures only; never a pass/fail.
//   write_load --addr 127.0.0.1:9191 [--clients 16] [--ops 20000] [--value-size 100]
//              [--cacert CA --cert CERT --key-file KEY]   (TLS, as metactl's flags)
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "meta.grpc.pb.h"

static std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int main(int argc, char** argv) {
  std::string addr = "127.0.0.1:9191";
  std::string cacert, cert, key;
  int clients = 16;
  long ops = 20000;
  size_t value_size = 100;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i], v = argv[i + 1];
    if (f == "--addr") addr = v;
    else if (f == "--clients") clients = std::stoi(v);
    else if (f == "--ops") ops = std::stol(v);
    else if (f == "--value-size") value_size = std::stoul(v);
    else if (f == "--cacert") cacert = v;
    else if (f == "--cert") cert = v;
    else if (f == "--key-file") key = v;
    else {
      std::fprintf(stderr, "usage: write_load --addr A [--clients N] [--ops N] [--value-size B] [--cacert F --cert F --key-file F]\n");
      return 2;
    }
  }
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::InsecureChannelCredentials();
  if (!cacert.empty()) {
    grpc::SslCredentialsOptions o;
    o.pem_root_certs = ReadAll(cacert);
    if (!cert.empty()) o.pem_cert_chain = ReadAll(cert);
    if (!key.empty()) o.pem_private_key = ReadAll(key);
    creds = grpc::SslCredentials(o);
  }
  std::atomic<long> next{0}, errors{0};
  std::vector<std::vector<double>> lat(clients);
  const std::string value(value_size, 'v');
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("grpc.channel_id", c);  // one connection per client
      auto stub = metasrv::Meta::NewStub(grpc::CreateCustomChannel(addr, creds, args));
      for (long i; (i = next++) < ops;) {
        metasrv::UpsertRequest r;
        r.set_key("bench/" + std::to_string(c) + "/" + std::to_string(i));
        r.set_value(value);
        metasrv::UpsertReply reply;
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        auto t0 = std::chrono::steady_clock::now();
        grpc::Status st = stub->Upsert(&ctx, r, &reply);
        auto t1 = std::chrono::steady_clock::now();
        if (!st.ok() && errors++ == 0) {
          std::fprintf(stderr, "first error: %s\n", st.error_message().c_str());
        }
        lat[c].push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))]; };
  std::printf("%3d clients %7ld writes %8.2f s %9.0f writes/s   p50 %7.2f ms   p99 %7.2f ms   errors %ld\n", clients,
              static_cast<long>(all.size()), secs, all.size() / secs, pct(0.50), pct(0.99), errors.load());
  return 0;
}
