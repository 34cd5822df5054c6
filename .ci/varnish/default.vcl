# Varnish in front of the newsroom's app servers (the shape used in production, and the one the
# CI proves with tests/test_cache_varnish.py).
#
# The app decides what may be stored: public pages and API responses carry
# "Cache-Control: public, s-maxage=N" (N never reaching past the next scheduled publication);
# everything else says private/no-store and is passed through (Varnish's built-in rules). On every
# change the app sends "BAN /" with "X-Ban-Url: ^/" (CACHE_PURGE_URL), which drops every stored page.
vcl 4.1;

import std;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may purge: the app servers. Widen to their addresses in a real deployment.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        # Lurker-friendly: matched against what the stored object remembers of its own URL.
        if (std.ban("obj.http.x-url ~ " + req.http.X-Ban-Url + " && obj.http.x-url !~ ^/(static|media)/")) {
            return (synth(200, "Banned"));
        }
        return (synth(400, std.ban_error()));
    }
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(405, "Not allowed"));
        }
        return (purge);
    }
    # The editors' desk and previews go straight to the app and are never stored.
    if (req.url ~ "^/admin(/|$)" || req.url ~ "/preview/" || req.url ~ "^/reset/") {
        return (pass);
    }
    # Signed-in editors see what the app renders for them.
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # Public pages never depend on cookies (the app refuses to share any response that does).
    unset req.http.Cookie;
}

sub vcl_hash {
    # A redirect to HTTPS for a plain-HTTP request is not the page itself.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_response {
    set beresp.http.x-url = bereq.url;
    # No serving of expired pages while refetching: a page's lifetime ends when the next scheduled
    # story is due, and that story must appear on the first request after it.
    set beresp.grace = 0s;
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.hits > 0) {
        set resp.http.X-Varnish-Cache = "HIT";
    } else {
        set resp.http.X-Varnish-Cache = "MISS";
    }
}
