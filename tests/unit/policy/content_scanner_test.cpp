#include "policy/content_scanner.hpp"

#include <doctest/doctest.h>

#include <string>

#include "wasm_module_builder.hpp"

using namespace minewall::policy;

namespace {
Detection scan_whole(std::string_view body, std::size_t limit = kDefaultContentScanLimit) {
    ContentScanner scanner(builtin_browser_miner_signatures(), limit);
    auto d = scanner.feed(body);
    return d.status == ScanStatus::NeedMore ? scanner.finish() : d;
}

constexpr std::string_view kCoinHivePage =
    "<html><head><script src=\"https://coinhive.com/lib/coinhive.min.js\"></script></head><body>"
    "<script>var miner = new CoinHive.Anonymous('QkRjWrCMxRAKOsTnhVbgj0XsMfJxgjNY', {throttle: "
    "0.3});"
    "miner.start();</script></body></html>";
}  // namespace

TEST_CASE("finds the CoinHive embed snippet") {
    auto d = scan_whole(kCoinHivePage);
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.threat_name == "CoinMiner.JS.CoinHive");
}

TEST_CASE("finds the clones of CoinHive by their API names") {
    CHECK(scan_whole("var miner = new CryptoLoot.Anonymous('abc', {threads: 2});").threat_name ==
          "CoinMiner.JS.CryptoLoot");
    CHECK(scan_whole("var miner=new deepMiner.Anonymous('deepMiner_test');").threat_name ==
          "CoinMiner.JS.deepMiner");
    CHECK(scan_whole("var _client = new Client.Anonymous('f1c1b0d7', {throttle: 0, c: 'w'});")
              .threat_name == "CoinMiner.JS.CoinImp");
    CHECK(scan_whole("var miner = WMP.Anonymous('SK_abc', {throttle: 0.2});").threat_name ==
          "CoinMiner.JS.WebMinePool");
    CHECK(scan_whole("<script src=\"/js/crypta.js\"></script>").threat_name ==
          "CoinMiner.JS.Crypta");
    CHECK(scan_whole("fetch('cryptonight.wasm').then(r => r.arrayBuffer())").threat_name ==
          "CoinMiner.JS.CryptoNight");
}

TEST_CASE("finds a signature split across two chunks") {
    std::string page(kCoinHivePage);
    // Remove the script URL so only the API call can match, then split inside "CoinHive.Anonymous".
    page.erase(page.find("<script src"), page.find("</head>") - page.find("<script src"));
    auto cut = page.find("CoinHive.Anonymous") + 5;
    ContentScanner scanner(builtin_browser_miner_signatures(), kDefaultContentScanLimit);
    CHECK(scanner.feed(std::string_view(page).substr(0, cut)).status == ScanStatus::NeedMore);
    auto d = scanner.feed(std::string_view(page).substr(cut));
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.evidence == "CoinHive.Anonymous");
}

TEST_CASE("finds a signature fed one byte per chunk") {
    std::string body = "/* lib */ var m = new CRLT.Anonymous('key'); m.start();";
    ContentScanner scanner(builtin_browser_miner_signatures(), kDefaultContentScanLimit);
    Detection d;
    for (char c : body)
        d = scanner.feed(std::string_view(&c, 1));
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.threat_name == "CoinMiner.JS.CryptoLoot");
}

TEST_CASE("miner.start alone does not match, with another miner call it does") {
    CHECK(scan_whole("<script>const miner = new GoldMiner(); miner.start(); // the game</script>")
              .status == ScanStatus::NoMatch);
    auto d =
        scan_whole("miner.start(); setInterval(() => show(miner.getHashesPerSecond()), 1000);");
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.threat_name == "CoinMiner.JS.Generic");
    CHECK(scan_whole("miner.start(); // site_key from the dashboard").status == ScanStatus::Match);
}

TEST_CASE("an article about miners does not match") {
    CHECK(
        scan_whole("<p>CoinHive shut down in 2019. It mined Monero with the CryptoNight algorithm; "
                   "sites embedded it with a site_key.</p>")
            .status == ScanStatus::NoMatch);
}

TEST_CASE("scans WebAssembly by its exports") {
    auto miner =
        test::wasm_module({{"_cryptonight_create", 0}, {"_cryptonight_hash", 0}, {"memory", 2}});
    auto d = scan_whole(miner);
    CHECK(d.status == ScanStatus::Match);
    CHECK(d.threat_name == "CoinMiner.WASM.CryptoNight");
    CHECK(d.evidence == "wasm export _cryptonight_create");
    CHECK(scan_whole(test::wasm_module({{"add", 0}, {"main", 0}, {"memory", 2}})).status ==
          ScanStatus::NoMatch);
}

TEST_CASE("stops at the scan limit") {
    std::string body(1000, ' ');
    body += "new CoinHive.Anonymous('k')";
    CHECK(scan_whole(body, 500).status == ScanStatus::NoMatch);
    CHECK(scan_whole(body, 2000).status == ScanStatus::Match);
    ContentScanner scanner(builtin_browser_miner_signatures(), 10);
    CHECK(scanner.feed("0123456789abc").status == ScanStatus::NoMatch);
    CHECK(scanner.scanned() == 10);
}

TEST_CASE("scannable content types") {
    CHECK(content_type_is_scannable("text/html; charset=utf-8"));
    CHECK(content_type_is_scannable("application/javascript"));
    CHECK(content_type_is_scannable("application/wasm"));
    CHECK(content_type_is_scannable(""));
    CHECK_FALSE(content_type_is_scannable("image/png"));
    CHECK_FALSE(content_type_is_scannable("video/mp4"));
    CHECK(content_type_is_scannable("text/ecmascript"));
    CHECK(content_type_is_scannable("binary/octet-stream"));
    CHECK(content_type_is_scannable(" text/plain ; charset=us-ascii"));
    CHECK(content_type_is_scannable(" ; charset=utf-8"));  // no media type: untyped bytes
    CHECK_FALSE(content_type_is_scannable("application/json"));
    CHECK_FALSE(content_type_is_scannable("text/event-stream"));
    CHECK_FALSE(content_type_is_scannable("text/plainly"));
}

TEST_CASE("content types are compared case-insensitively, parameters ignored") {
    CHECK(content_type_is_scannable("Text/HTML; charset=UTF-8"));
    CHECK(content_type_is_scannable("APPLICATION/OCTET-STREAM"));
    CHECK(content_type_is_scannable("application/x-javascript;charset=utf-8"));
    CHECK_FALSE(content_type_is_scannable("IMAGE/PNG"));
    CHECK_FALSE(content_type_is_scannable("image/png; name=\"text/html\""));
    CHECK_FALSE(content_type_is_scannable("text/htm"));
}

TEST_CASE("finds every strong signature whatever the chunk sizes (carry across many chunks)") {
    const auto& sigs = builtin_browser_miner_signatures();
    for (std::size_t i = 0; i < sigs.size(); ++i) {
        const auto& sig = sigs.at(static_cast<int>(i));
        if (sig.strength != SignatureStrength::Strong) continue;
        std::string body = "<p>ordinary text, nothing to see</p>" + std::string(sig.literal) + "x";
        for (std::size_t chunk = 1; chunk <= 27; ++chunk) {
            ContentScanner scanner(sigs, kDefaultContentScanLimit);
            Detection d{ScanStatus::NeedMore, {}, {}};
            for (std::size_t at = 0; at < body.size() && d.status == ScanStatus::NeedMore;
                 at += chunk)
                d = scanner.feed(std::string_view(body).substr(at, chunk));
            if (d.status == ScanStatus::NeedMore) d = scanner.finish();
            CHECK_MESSAGE(d.status == ScanStatus::Match, sig.literal << " chunk " << chunk);
            CHECK(d.threat_name == sig.threat_name);
        }
    }
}
