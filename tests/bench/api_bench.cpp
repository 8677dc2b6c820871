// The HTTP API under load: K keep-alive connections each sending GET TARGET one after another for
// S seconds against a running daemon on 127.0.0.1, then requests per second and latency
// percentiles. `scripts/dev.sh bench` runs it for /api/v1/review and /metrics while analyzers send.
//
//   api_bench --port P --target /api/v1/review [--token T] [--connections K] [--seconds S]
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

struct Options {
  unsigned short port = 0;
  std::string target = "/metrics";
  std::string token;
  int connections = 4;
  double seconds = 10;
};

struct Tally {
  std::vector<double> latencies_ms;
  long errors = 0;
  long bytes = 0;
};

// One connection's loop until `until`; reconnects after an error (counted).
Tally hammer(const Options& o, Clock::time_point until) {
  Tally t;
  asio::io_context io;
  while (Clock::now() < until) {
    beast::tcp_stream stream(io);
    beast::error_code ec;
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), o.port), ec);
    if (ec) {
      ++t.errors;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    beast::flat_buffer buffer;
    while (Clock::now() < until) {
      http::request<http::empty_body> req{http::verb::get, o.target, 11};
      req.set(http::field::host, "127.0.0.1");
      if (!o.token.empty())
        req.set(http::field::authorization, "Bearer " + o.token);
      const auto started = Clock::now();
      http::write(stream, req, ec);
      http::response_parser<http::string_body> parser;
      parser.body_limit(256 << 20);
      if (!ec)
        http::read(stream, buffer, parser, ec);
      if (ec || parser.get().result_int() != 200) {
        ++t.errors;
        break;
      }
      t.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      t.bytes += static_cast<long>(parser.get().body().size());
    }
  }
  return t;
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--port")
      o.port = static_cast<unsigned short>(std::stoi(value));
    else if (flag == "--target")
      o.target = value;
    else if (flag == "--token")
      o.token = value;
    else if (flag == "--connections")
      o.connections = std::stoi(value);
    else if (flag == "--seconds")
      o.seconds = std::stod(value);
    else {
      std::fprintf(stderr, "api_bench: unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (o.port == 0) {
    std::fprintf(stderr, "api_bench: --port is required\n");
    return 2;
  }
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(o.seconds));
  std::vector<Tally> tallies(static_cast<std::size_t>(o.connections));
  std::vector<std::thread> threads;
  const auto started = Clock::now();
  for (int c = 0; c < o.connections; ++c)
    threads.emplace_back([&, c] { tallies[static_cast<std::size_t>(c)] = hammer(o, until); });
  for (auto& t : threads)
    t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  Tally all;
  for (auto& t : tallies) {
    all.latencies_ms.insert(all.latencies_ms.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    all.errors += t.errors;
    all.bytes += t.bytes;
  }
  const auto n = all.latencies_ms.size();
  fmt::print(
      "GET {}: {} requests in {:.1f} s over {} connections: {:.0f} requests/s, p50 {:.2f} ms, "
      "p99 {:.2f} ms, max {:.2f} ms, {:.0f} kB per answer, {} errors\n",
      o.target, n, elapsed, o.connections, static_cast<double>(n) / elapsed,
      percentile(all.latencies_ms, 0.5), percentile(all.latencies_ms, 0.99),
      percentile(all.latencies_ms, 1.0), n ? static_cast<double>(all.bytes) / n / 1024 : 0.0,
      all.errors);
  return all.errors > 0 && n == 0 ? 1 : 0;
}
