// Metrics registry and Prometheus text exposition (format 0.0.4). The output is checked by a
// small parser of the format (exposition_check.h), so a test fails on text Prometheus would
// refuse.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "exposition_check.h"
#include "metrics/registry.h"

namespace akasa::metrics {
namespace {

TEST(MetricsRegistry, RendersHelpTypeAndSamples) {
    Registry r;
    r.declare("up_total", MetricType::Counter, "Things.");
    r.declare("temp", MetricType::Gauge, "Degrees.");
    r.add("up_total", {{"listener", "mqtt"}}, 2);
    r.add("up_total", {{"listener", "mqtt"}}, 3);
    r.set("temp", {}, 21.5);
    EXPECT_EQ(r.render(),
              "# HELP up_total Things.\n# TYPE up_total counter\nup_total{listener=\"mqtt\"} 5\n"
              "# HELP temp Degrees.\n# TYPE temp gauge\ntemp 21.5\n");
    EXPECT_EQ(check_exposition(r.render(), nullptr), "");
}

TEST(MetricsRegistry, FamilyWithoutSamplesRendersZero) {
    Registry r;
    r.declare("nothing_yet", MetricType::Gauge, "Empty.");
    EXPECT_EQ(r.render(), "# HELP nothing_yet Empty.\n# TYPE nothing_yet gauge\nnothing_yet 0\n");
}

TEST(MetricsRegistry, LabelValuesAndHelpAreEscaped) {
    Registry r;
    r.declare("x", MetricType::Gauge, "line\\one\nline two");
    r.set("x", {{"path", "C:\\dir \"q\"\nend"}, {"b", "2"}}, 1);
    std::string text = r.render();
    EXPECT_NE(text.find("# HELP x line\\\\one\\nline two\n"), std::string::npos);
    EXPECT_NE(text.find("x{path=\"C:\\\\dir \\\"q\\\"\\nend\",b=\"2\"} 1\n"), std::string::npos);
    std::map<std::string, double> samples;
    ASSERT_EQ(check_exposition(text, &samples), "");
    EXPECT_EQ(samples.count("x{path=C:\\dir \"q\"\nend,b=2}"), 1u);
}

TEST(MetricsRegistry, LargeCountersPrintExactly) {
    Registry r;
    r.declare("big_total", MetricType::Counter, "Big.");
    r.set("big_total", {}, 9007199254740992.0);  // 2^53
    EXPECT_NE(r.render().find("big_total 9007199254740992\n"), std::string::npos);
}

// Fractions (seconds of CPU or of loop lag) print as the shortest text that reads back as
// the same double, not with the noise digits of 17 significant ones.
TEST(MetricsRegistry, FractionsPrintShortAndExact) {
    Registry r;
    r.declare("seconds", MetricType::Gauge, "Seconds.");
    const double values[] = {0.1, 0.000576298, 1.3019e-05, 1796621641.32, 1e300, -2.5};
    const char* expected[] = {"0.1",           "0.000576298", "1.3019e-05",
                              "1796621641.32", "1e+300",      "-2.5"};
    for (std::size_t i = 0; i < std::size(values); ++i) {
        r.set("seconds", {}, values[i]);
        EXPECT_EQ(r.render(),
                  std::string("# HELP seconds Seconds.\n# TYPE seconds gauge\nseconds ") +
                      expected[i] + "\n");
        std::map<std::string, double> s;
        ASSERT_EQ(check_exposition(r.render(), &s), "");
        EXPECT_EQ(s["seconds{}"], values[i]);  // exactly the same double
    }
}

TEST(MetricsRegistry, ProgrammingErrorsThrow) {
    Registry r;
    EXPECT_THROW(r.declare("1bad", MetricType::Gauge, ""), std::invalid_argument);
    EXPECT_THROW(r.declare("has-dash", MetricType::Gauge, ""), std::invalid_argument);
    r.declare("ok", MetricType::Gauge, "");
    EXPECT_THROW(r.declare("ok", MetricType::Counter, ""), std::invalid_argument);
    EXPECT_THROW(r.add("undeclared", {}, 1), std::invalid_argument);
    EXPECT_THROW(r.add("ok", {{"__reserved", "x"}}, 1), std::invalid_argument);
    EXPECT_THROW(r.add("ok", {{"a:b", "x"}}, 1), std::invalid_argument);
}

TEST(MetricsNames, Validation) {
    EXPECT_TRUE(is_valid_metric_name("akasa:rate_5m"));
    EXPECT_FALSE(is_valid_metric_name(""));
    EXPECT_TRUE(is_valid_label_name("_x1"));
    EXPECT_FALSE(is_valid_label_name("1x"));
}

TEST(ExpositionChecker, RejectsBadText) {
    // The checker itself must be able to fail.
    EXPECT_NE(check_exposition("x 1\n", nullptr), "");  // no TYPE
    EXPECT_NE(check_exposition("# TYPE x gauge\nx{a=\"1} 1\n", nullptr), "");
    EXPECT_NE(check_exposition("# TYPE x gauge\nx{a=\"\\t\"} 1\n", nullptr), "");
    EXPECT_NE(check_exposition("# TYPE x gauge\nx one\n", nullptr), "");
    EXPECT_NE(check_exposition("# TYPE x gauge\nx 1", nullptr), "");
}

}  // namespace
}  // namespace akasa::metrics
