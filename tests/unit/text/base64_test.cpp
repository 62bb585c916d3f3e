#include "text/base64.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace akasa::text {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes bytes_of(std::string_view text) {
    return Bytes(text.begin(), text.end());
}

// RFC 4648 section 10 test vectors.
TEST(Base64, EncodesRfc4648VectorsWithAndWithoutPadding) {
    const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                           {"f", "Zg=="},
                                                           {"fo", "Zm8="},
                                                           {"foo", "Zm9v"},
                                                           {"foob", "Zm9vYg=="},
                                                           {"fooba", "Zm9vYmE="},
                                                           {"foobar", "Zm9vYmFy"}};
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(base64_encode(bytes_of(plain), Base64Padding::Include), encoded);
        std::string unpadded = encoded;
        while (!unpadded.empty() && unpadded.back() == '=')
            unpadded.pop_back();
        EXPECT_EQ(base64_encode(bytes_of(plain), Base64Padding::Omit), unpadded);
        EXPECT_EQ(base64_decode(encoded), bytes_of(plain)) << encoded;
        EXPECT_EQ(base64_decode(unpadded), bytes_of(plain)) << unpadded;
    }
}

TEST(Base64, RoundTripsEveryByteValueAndLength) {
    Bytes data;
    for (int i = 0; i < 256; ++i) {
        data.push_back(static_cast<std::uint8_t>(255 - i));
        for (auto padding : {Base64Padding::Include, Base64Padding::Omit}) {
            EXPECT_EQ(base64_decode(base64_encode(data, padding)), data) << i;
        }
    }
}

TEST(Base64, RejectsEverythingThatIsNotBase64) {
    for (const char* bad : {"Z", "Zg=", "Zg===", "Z===", "Zm9v=", "Zm9v====", "Zg==Zg==", "Z=g=",
                            "Zm 9v", "Zm9v\n", "Zm-v", "Zm_v", "Zm9v!", "=", "==",
                            // unused low bits set: non-canonical spellings of "f" and "fo"
                            "Zh==", "Zm9=", "Zh"}) {
        EXPECT_FALSE(base64_decode(bad).has_value()) << bad;
    }
}

}  // namespace
}  // namespace akasa::text
