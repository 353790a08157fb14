#include "metrics/exporter.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metrics/family.h"

namespace tatami::metrics {
namespace {

using ::testing::HasSubstr;

// What GET /metrics returns from HOST:PORT (headers and body).
std::string Fetch(const std::string& address) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.rfind(':') + 1))));
  inet_pton(AF_INET, address.substr(0, address.rfind(':')).c_str(), &a.sin_addr);
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
    std::string req = "GET /metrics HTTP/1.0\r\nHost: x\r\n\r\n";
    if (write(fd, req.data(), req.size()) == static_cast<ssize_t>(req.size())) {
      char buf[4096];
      for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) out.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  return out;
}

class Fixed : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    return {Counter("tatami_test_seconds_total", "Test counter")
                .Add({{"account", "acme \"x\"\n"}, {"kind", "h100"}}, 1.5)
                .Take(),
            Gauge("tatami_test_ratio", "Test gauge").Add({}, 0.25).Take()};
  }
};

TEST(Family, SerializesCountersAndGaugesWithEscapedLabels) {
  std::string text = Serialize(Fixed().Collect());
  EXPECT_THAT(text, HasSubstr("# TYPE tatami_test_seconds_total counter\n"));
  EXPECT_THAT(text, HasSubstr("tatami_test_seconds_total{account=\"acme \\\"x\\\"\\n\",kind="
                              "\"h100\"} 1.5\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE tatami_test_ratio gauge\ntatami_test_ratio 0.25\n"));
}

TEST(Exporter, ServesWhatIsRegisteredOnTheBoundPort) {
  auto e = Exporter::Start("127.0.0.1:0");
  ASSERT_TRUE(e.ok()) << e.error().message;
  std::string address = (*e)->address();
  EXPECT_NE(address, "127.0.0.1:0");
  // Registered from a temporary: the exporter must keep it alive itself.
  (*e)->Register(std::make_shared<Fixed>());
  std::string reply = Fetch(address);
  EXPECT_THAT(reply, HasSubstr("200 OK"));
  EXPECT_THAT(reply, HasSubstr("tatami_test_ratio 0.25"));
}

TEST(Exporter, AnAddressInUseOrMalformedIsAnErrorNamingIt) {
  auto first = Exporter::Start("127.0.0.1:0");
  ASSERT_TRUE(first.ok());
  std::string taken = (*first)->address();
  auto second = Exporter::Start(taken);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.error().message, HasSubstr("cannot serve /metrics on " + taken));
  auto bad = Exporter::Start("no-such-host.invalid:notaport");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message, HasSubstr("no-such-host.invalid:notaport"));
}

}  // namespace
}  // namespace tatami::metrics
