"""Hosts known to let an attacker run script despite an allowlist, and which source allows one.

The lists are derived from Google's csp-evaluator (https://github.com/google/csp-evaluator,
`allowlist_bypasses/jsonp.ts`, `angular.ts` and `flash.ts`), Copyright 2016 Google Inc.,
licensed under the Apache License, Version 2.0; see NOTICE-csp-evaluator.txt beside this file.
Changes: the TypeScript arrays became Python tuples; the URLs themselves are unchanged. Only
the most common paths on each host are listed, so a host that is missing may still be unsafe.

`match_bypass` follows csp-evaluator's matching: a source with a '*.' label matches any host
under it, a path ending in '/' matches as a prefix, any other path must be equal.
"""

from __future__ import annotations

import re

from desktop_tracker.kinds.headers.csp import WILDCARD_PLACEHOLDER, host_and_path, source_url

# JSONP (or JSONP-like) endpoints on commonly allowed hosts.
JSONP_URLS: tuple[str, ...] = (
    "//bebezoo.1688.com/fragment/index.htm",
    "//www.google-analytics.com/gtm/js",
    "//googleads.g.doubleclick.net/pagead/conversion/1036918760/wcm",
    "//www.googleadservices.com/pagead/conversion/1070110417/wcm",
    "//www.google.com/tools/feedback/escalation-options",
    "//pin.aliyun.com/check_audio",
    "//offer.alibaba.com/market/CID100002954/5/fetchKeyword.do",
    "//ccrprod.alipay.com/ccr/arriveTime.json",
    "//group.aliexpress.com/ajaxAcquireGroupbuyProduct.do",
    "//detector.alicdn.com/2.7.3/index.php",
    "//suggest.taobao.com/sug",
    "//translate.google.com/translate_a/l",
    "//count.tbcdn.cn//counter3",
    "//wb.amap.com/channel.php",
    "//translate.googleapis.com/translate_a/l",
    "//afpeng.alimama.com/ex",
    "//accounts.google.com/o/oauth2/revoke",
    "//pagead2.googlesyndication.com/relatedsearch",
    "//yandex.ru/soft/browsers/check",
    "//api.facebook.com/restserver.php",
    "//mts0.googleapis.com/maps/vt",
    "//syndication.twitter.com/widgets/timelines/765840589183213568",
    "//www.youtube.com/profile_style",
    "//googletagmanager.com/gtm/js",
    "//mc.yandex.ru/watch/24306916/1",
    "//share.yandex.net/counter/gpp/",
    "//ok.go.mail.ru/lady_on_lady_recipes_r.json",
    "//d1f69o4buvlrj5.cloudfront.net/__efa_15_1_ornpba.xekq.arg/optout_check",
    "//www.googletagmanager.com/gtm/js",
    "//api.vk.com/method/wall.get",
    "//www.sharethis.com/get-publisher-info.php",
    "//google.ru/maps/vt",
    "//pro.netrox.sc/oapi/h_checksite.ashx",
    "//vimeo.com/api/oembed.json/",
    "//de.blog.newrelic.com/wp-admin/admin-ajax.php",
    "//ajax.googleapis.com/ajax/services/search/news",
    "//ssl.google-analytics.com/gtm/js",
    "//pubsub.pubnub.com/subscribe/demo/hello_world/",
    "//pass.yandex.ua/services",
    "//id.rambler.ru/script/topline_info.js",
    "//m.addthis.com/live/red_lojson/100eng.json",
    "//passport.ngs.ru/ajax/check",
    "//catalog.api.2gis.ru/ads/search",
    "//gum.criteo.com/sync",
    "//maps.google.com/maps/vt",
    "//ynuf.alipay.com/service/um.json",
    "//securepubads.g.doubleclick.net/gampad/ads",
    "//c.tiles.mapbox.com/v3/texastribune.tx-congress-cvap/6/15/26.grid.json",
    "//rexchange.begun.ru/banners",
    "//an.yandex.ru/page/147484",
    "//links.services.disqus.com/api/ping",
    "//api.map.baidu.com/",
    "//tj.gongchang.com/api/keywordrecomm/",
    "//data.gongchang.com/livegrail/",
    "//ulogin.ru/token.php",
    "//beta.gismeteo.ru/api/informer/layout.js/120x240-3/ru/",
    "//maps.googleapis.com/maps/api/js/GeoPhotoService.GetMetadata",
    "//a.config.skype.com/config/v1/Skype/908_1.33.0.111/SkypePersonalization",
    "//maps.beeline.ru/w",
    "//target.ukr.net/",
    "//www.meteoprog.ua/data/weather/informer/Poltava.js",
    "//cdn.syndication.twimg.com/widgets/timelines/599200054310604802",
    "//wslocker.ru/client/user.chk.php",
    "//community.adobe.com/CommunityPod/getJSON",
    "//maps.google.lv/maps/vt",
    "//dev.virtualearth.net/REST/V1/Imagery/Metadata/AerialWithLabels/26.318581",
    "//awaps.yandex.ru/10/8938/02400400.",
    "//a248.e.akamai.net/h5.hulu.com/h5.mp4",
    "//nominatim.openstreetmap.org/",
    "//plugins.mozilla.org/en-us/plugins_list.json",
    "//h.cackle.me/widget/32153/bootstrap",
    "//graph.facebook.com/1/",
    "//fellowes.ugc.bazaarvoice.com/data/reviews.json",
    "//widgets.pinterest.com/v3/pidgets/boards/ciciwin/hedgehog-squirrel-crafts/pins/",
    "//se.wikipedia.org/w/api.php",
    "//cse.google.com/api/007627024705277327428/cse/r3vs7b0fcli/queries/js",
    "//relap.io/api/v2/similar_pages_jsonp.js",
    "//c1n3.hypercomments.com/stream/subscribe",
    "//maps.google.de/maps/vt",
    "//books.google.com/books",
    "//connect.mail.ru/share_count",
    "//tr.indeed.com/m/newjobs",
    "//www-onepick-opensocial.googleusercontent.com/gadgets/proxy",
    "//www.panoramio.com/map/get_panoramas.php",
    "//client.siteheart.com/streamcli/client",
    "//www.facebook.com/restserver.php",
    "//autocomplete.travelpayouts.com/avia",
    "//www.googleapis.com/freebase/v1/topic/m/0344_",
    "//mts1.googleapis.com/mapslt/ft",
    "//publish.twitter.com/oembed",
    "//fast.wistia.com/embed/medias/o75jtw7654.json",
    "//partner.googleadservices.com/gampad/ads",
    "//pass.yandex.ru/services",
    "//gupiao.baidu.com/stocks/stockbets",
    "//widget.admitad.com/widget/init",
    "//api.instagram.com/v1/tags/partykungen23328/media/recent",
    "//video.media.yql.yahoo.com/v1/video/sapi/streams/063fb76c-6c70-38c5-9bbc-04b7c384de2b",
    "//ib.adnxs.com/jpt",
    "//pass.yandex.com/services",
    "//www.google.de/maps/vt",
    "//clients1.google.com/complete/search",
    "//api.userlike.com/api/chat/slot/proactive/",
    "//www.youku.com/index_cookielist/s/jsonp",
    "//mt1.googleapis.com/mapslt/ft",
    "//api.mixpanel.com/track/",
    "//wpd.b.qq.com/cgi/get_sign.php",
    "//pipes.yahooapis.com/pipes/pipe.run",
    "//gdata.youtube.com/feeds/api/videos/WsJIHN1kNWc",
    "//9.chart.apis.google.com/chart",
    "//cdn.syndication.twitter.com/moments/709229296800440320",
    "//api.flickr.com/services/feeds/photos_friends.gne",
    "//cbks0.googleapis.com/cbk",
    "//www.blogger.com/feeds/5578653387562324002/posts/summary/4427562025302749269",
    "//query.yahooapis.com/v1/public/yql",
    "//kecngantang.blogspot.com/feeds/posts/default/-/Komik",
    "//www.travelpayouts.com/widgets/50f53ce9ada1b54bcc000031.json",
    "//i.cackle.me/widget/32586/bootstrap",
    "//translate.yandex.net/api/v1.5/tr.json/detect",
    "//a.tiles.mapbox.com/v3/zentralmedia.map-n2raeauc.jsonp",
    "//maps.google.ru/maps/vt",
    "//c1n2.hypercomments.com/stream/subscribe",
    "//rec.ydf.yandex.ru/cookie",
    "//cdn.jsdelivr.net",
)

# Hosts whose JSONP-like endpoints only help an attacker where 'unsafe-eval' is allowed.
JSONP_NEEDS_EVAL: tuple[str, ...] = (
    "googletagmanager.com",
    "www.googletagmanager.com",
    "www.googleadservices.com",
    "google-analytics.com",
    "ssl.google-analytics.com",
    "www.google-analytics.com",
)

# AngularJS libraries on commonly allowed hosts (CDNs among them).
ANGULAR_URLS: tuple[str, ...] = (
    "//gstatic.com/fsn/angular_js-bundle1.js",
    "//www.gstatic.com/fsn/angular_js-bundle1.js",
    "//www.googleadservices.com/pageadimg/imgad",
    "//yandex.st/angularjs/1.2.16/angular-cookies.min.js",
    "//yastatic.net/angularjs/1.2.23/angular.min.js",
    "//yuedust.yuedu.126.net/js/components/angular/angular.js",
    "//art.jobs.netease.com/script/angular.js",
    "//csu-c45.kxcdn.com/angular/angular.js",
    "//elysiumwebsite.s3.amazonaws.com/uploads/blog-media/rockstar/angular.min.js",
    "//inno.blob.core.windows.net/new/libs/AngularJS/1.2.1/angular.min.js",
    "//gift-talk.kakao.com/public/javascripts/angular.min.js",
    "//ajax.googleapis.com/ajax/libs/angularjs/1.2.0rc1/angular-route.min.js",
    "//master-sumok.ru/vendors/angular/angular-cookies.js",
    "//ayicommon-a.akamaihd.net/static/vendor/angular-1.4.2.min.js",
    "//pangxiehaitao.com/framework/angular-1.3.9/angular-animate.min.js",
    "//cdnjs.cloudflare.com/ajax/libs/angular.js/1.2.16/angular.min.js",
    "//96fe3ee995e96e922b6b-d10c35bd0a0de2c718b252bc575fdb73.ssl.cf1.rackcdn.com/angular.js",
    "//oss.maxcdn.com/angularjs/1.2.20/angular.min.js",
    "//reports.zemanta.com/smedia/common/angularjs/1.2.11/angular.js",
    "//cdn.shopify.com/s/files/1/0225/6463/t/1/assets/angular-animate.min.js",
    "//parademanagement.com.s3-website-ap-southeast-1.amazonaws.com/js/angular.min.js",
    "//cdn.jsdelivr.net/angularjs/1.1.2/angular.min.js",
    (
        "//eb2883ede55c53e09fd5-9c145fb03d93709ea57875d307e2d82e.ssl.cf3.rackcdn.com/components"
        "/angular-resource.min.js"
    ),
    "//andors-trail.googlecode.com/git/AndorsTrailEdit/lib/angular.min.js",
    "//cdn.walkme.com/General/EnvironmentTests/angular/angular.min.js",
    "//laundrymail.com/angular/angular.js",
    "//s3-eu-west-1.amazonaws.com/staticancpa/js/angular-cookies.min.js",
    "//collade.demo.stswp.com/js/vendor/angular.min.js",
    "//mrfishie.github.io/sailor/bower_components/angular/angular.min.js",
    "//askgithub.com/static/js/angular.min.js",
    "//services.amazon.com/solution-providers/assets/vendor/angular-cookies.min.js",
    "//raw.githubusercontent.com/angular/code.angularjs.org/master/1.0.7/angular-resource.js",
    "//prb-resume.appspot.com/bower_components/angular-animate/angular-animate.js",
    "//dl.dropboxusercontent.com/u/30877786/angular.min.js",
    "//static.tumblr.com/x5qdx0r/nPOnngtff/angular-resource.min_1_.js",
    (
        "//storage.googleapis.com/assets-prod.urbansitter.net/us-sym/assets/vendor/angular-sanitize"
        "/angular-sanitize.min.js"
    ),
    "//twitter.github.io/labella.js/bower_components/angular/angular.min.js",
    "//cdn2-casinoroom.global.ssl.fastly.net/js/lib/angular-animate.min.js",
    "//www.adobe.com/devnet-apps/flashshowcase/lib/angular/angular.1.1.5.min.js",
    "//eternal-sunset.herokuapp.com/bower_components/angular/angular.js",
    "//cdn.bootcss.com/angular.js/1.2.0/angular.min.js",
)

# Flash files on commonly allowed hosts that run script when embedded.
FLASH_URLS: tuple[str, ...] = (
    "//vk.com/swf/video.swf",
    "//ajax.googleapis.com/ajax/libs/yui/2.8.0r4/build/charts/assets/charts.swf",
)


def _parsed(urls: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    parsed = (host_and_path(url) for url in urls)
    return tuple(p for p in parsed if p is not None)


# The lists as (hostname, pathname), read once.
JSONP: tuple[tuple[str, str], ...] = _parsed(JSONP_URLS)
ANGULAR: tuple[tuple[str, str], ...] = _parsed(ANGULAR_URLS)
FLASH: tuple[tuple[str, str], ...] = _parsed(FLASH_URLS)

# Any word character followed by the rest of the placeholder, as csp-evaluator strips it: a
# source "*.a.test" keeps ".a.test", which every host under a.test ends with.
_PLACEHOLDER_PREFIX = re.compile(r"^\w" + WILDCARD_PLACEHOLDER[1:], re.ASCII | re.IGNORECASE)


def match_bypass(source: str, listed: tuple[tuple[str, str], ...]) -> str | None:
    """The host of the first of `listed` (JSONP, ANGULAR, FLASH) that `source` allows, or None."""
    named = source_url(source)
    if named is None:
        return None
    host, path = named[0].lower(), named[1]
    any_subdomain = host.startswith(WILDCARD_PLACEHOLDER + ".")
    suffix = _PLACEHOLDER_PREFIX.sub("", host, count=1)
    for domain, listed_path in listed:
        if not domain.endswith(suffix) or (not any_subdomain and host != domain):
            continue
        if path != "/":
            # A path ending in '/' allows everything under it; any other allows just itself.
            if path.endswith("/") and not listed_path.startswith(path):
                continue
            if not path.endswith("/") and listed_path != path:
                continue
        return domain
    return None
