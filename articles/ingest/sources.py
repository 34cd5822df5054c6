"""Fetching what a channel holds: files in a folder, objects under an S3 prefix, an HTTP feed.

Polite over HTTP: conditional requests (ETag / If-Modified-Since), a timeout, a size cap, and
http(s) only, redirects only to the configured host. Nothing here touches the database.
"""

import hashlib
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings

SUFFIXES = {".json", ".txt", ".xml", ".atom", ".rss"}


class ChannelUnreachable(Exception):
    """The channel could not be read at all; the message says why."""


@dataclass(frozen=True)
class Delivery:
    """One file, object or feed document as delivered."""

    name: str
    content: bytes
    fingerprint: str  # identical deliveries have the same one
    error: str = ""  # why the content could not be had (too large, unreadable)


@dataclass(frozen=True)
class Fetched:
    deliveries: list[Delivery]
    etag: str = ""
    last_modified: str = ""
    not_modified: bool = False


def fingerprint_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def fetch(channel, *, seen=frozenset()) -> Fetched:
    """What `channel` holds now. `seen` holds fingerprints already taken, which a store that
    knows them without downloading (S3 ETags) uses to skip the download."""
    kind = channel.Kind
    if channel.kind == kind.FOLDER:
        return Fetched(_folder(channel.location))
    if channel.kind == kind.S3:
        return Fetched(_s3(channel, seen))
    return _http(channel)


def _cap() -> int:
    return settings.INGEST_MAX_BYTES


def _folder(location: str) -> list[Delivery]:
    folder = Path(location)
    if not folder.is_dir():
        raise ChannelUnreachable(f"no folder at {location}")
    deliveries = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() not in SUFFIXES or path.name.startswith(".") or not path.is_file():
            continue
        name = str(path.relative_to(folder))
        try:
            stat = path.stat()
            content = b"" if stat.st_size > _cap() else path.read_bytes()
        except FileNotFoundError:
            continue  # moved away while we looked: not delivered
        except OSError as error:
            # One file we may not read is a failed item, not a channel we cannot reach.
            reason = f"could not read the file: {error.strerror or error}"
            deliveries.append(Delivery(name, b"", _stand_in(name, reason), reason))
            continue
        if stat.st_size > _cap():
            reason = _too_large(stat.st_size)
            deliveries.append(Delivery(name, b"", _stand_in(name, stat.st_mtime_ns), reason))
        elif not content:
            deliveries.append(Delivery(name, b"", _stand_in(name, stat.st_mtime_ns), "empty"))
        else:
            deliveries.append(Delivery(name, content, fingerprint_of(content)))
    return deliveries


def _stand_in(name: str, detail) -> str:
    """The fingerprint of a file whose content we do not have: its own (two empty or too-large
    files are two failed deliveries), changing when the file does."""
    return fingerprint_of(f"{name}\0{detail}".encode())


def _too_large(size: int) -> str:
    return f"{size} bytes: larger than the size cap ({_cap()} bytes)"


def _s3(channel, seen) -> list[Delivery]:
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    parts = urlsplit(channel.location)
    if parts.scheme != "s3" or not parts.netloc:
        raise ChannelUnreachable("an S3 location looks like s3://bucket/prefix/")
    bucket, prefix = parts.netloc, parts.path.lstrip("/")
    client = boto3.client(
        "s3",
        endpoint_url=channel.s3_endpoint_url or None,
        config=Config(
            connect_timeout=5,
            read_timeout=settings.INGEST_TIMEOUT_SECONDS,
            retries={"max_attempts": 1},
        ),
    )
    deliveries = []
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for entry in page.get("Contents", []):
                name = entry["Key"]
                if Path(name).suffix.lower() not in SUFFIXES:
                    continue
                etag = "s3:" + entry["ETag"].strip('"')
                if etag in seen:
                    deliveries.append(Delivery(name, b"", etag))
                    continue
                if entry["Size"] > _cap():
                    deliveries.append(Delivery(name, b"", etag, _too_large(entry["Size"])))
                    continue
                body = client.get_object(Bucket=bucket, Key=name)["Body"].read()
                deliveries.append(Delivery(name, body, etag))
    except (BotoCoreError, ClientError) as error:
        raise ChannelUnreachable(f"S3: {error}") from error
    return deliveries


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, host: str):
        self.host = host

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urlsplit(newurl)
        if target.scheme not in {"http", "https"} or target.hostname != self.host:
            raise ChannelUnreachable(
                f"refused a redirect to {newurl} (only {self.host} is allowed)"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _http(channel) -> Fetched:
    parts = urlsplit(channel.location)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ChannelUnreachable("only http:// and https:// addresses can be polled")
    headers = {"User-Agent": "Newsroom ingest", "Accept-Encoding": "identity"}
    if channel.etag:
        headers["If-None-Match"] = channel.etag
    if channel.last_modified:
        headers["If-Modified-Since"] = channel.last_modified
    opener = urllib.request.build_opener(_SameHostRedirects(parts.hostname))
    request = urllib.request.Request(channel.location, headers=headers)  # noqa: S310 (checked above)
    try:
        with opener.open(request, timeout=settings.INGEST_TIMEOUT_SECONDS) as response:
            content = response.read(_cap() + 1)
            if len(content) > _cap():
                raise ChannelUnreachable(f"the feed is larger than {_cap()} bytes")
            return Fetched(
                [Delivery(channel.location, content, fingerprint_of(content))],
                etag=response.headers.get("ETag", ""),
                last_modified=response.headers.get("Last-Modified", ""),
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Fetched(
                [], etag=channel.etag, last_modified=channel.last_modified, not_modified=True
            )
        raise ChannelUnreachable(f"HTTP {error.code} from {channel.location}") from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ChannelUnreachable(f"could not reach {channel.location}: {reason}") from error
