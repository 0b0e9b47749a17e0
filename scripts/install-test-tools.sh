#!/usr/bin/env bash
# Installs the system packages the test suite needs, where they are missing (Debian/Ubuntu apt):
#   java 17+ and maven  the Kafka tests run a real Apache Kafka broker (scripts/broker), whose jars
#                       Maven fetches from Maven Central once per machine
#   chromium            the dashboard test drives it headless (puppeteer-core downloads no browser)
# No package has a native build step, so no C toolchain is needed. Runs apt-get through sudo when
# not root. Elsewhere it names what is missing and exits 1.
set -euo pipefail

missing=()
java_major="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1 || true)"
if [ -z "$java_major" ] || [ "$java_major" -lt 17 ]; then missing+=(openjdk-17-jre-headless); fi
command -v mvn >/dev/null 2>&1 || missing+=(maven)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v script >/dev/null 2>&1 || missing+=(bsdutils)

if [ ${#missing[@]} -eq 0 ]; then
  echo "test tools: java ${java_major}, maven, chromium present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: missing ${missing[*]}, and this machine has no apt-get; install them (Java 17+, Maven, Chromium) and run again" >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "install-test-tools: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
  fi
  sudo=(sudo)
fi
echo "test tools: installing ${missing[*]} (apt-get)"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
