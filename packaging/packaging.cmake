# The Debian packages (cpack -G DEB; scripts/build-package.sh). One package per install
# component; the runtime dependencies come from dpkg-shlibdeps, i.e. from the libraries
# the binaries really link against (librocksdb, libssl, liblua5.1, libsqlite3...).
set(CPACK_PACKAGE_NAME minired)
set(CPACK_PACKAGE_VENDOR "minired")
set(CPACK_PACKAGE_CONTACT "minired maintainers <minired@localhost>")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Redis-compatible in-memory data store")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB)
set(CPACK_COMPONENTS_ALL server catalog dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/minired/minired")
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
# Binaries without their debug information: 45 MB -> a few MB for minired-server.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME minired-server)
set(CPACK_COMPONENT_SERVER_DESCRIPTION
    "Redis-compatible in-memory data store\n minired-server speaks RESP, so redis-cli, redis-benchmark and every Redis client\n work unchanged. Persistence on RocksDB (snapshots and an append-only log),\n replication, eviction, scripting, streams. With minired-check (offline data\n directory checker) and minired-bench (load generator).")
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "redis-tools")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_SOURCE_DIR}/debian/server/conffiles;${CMAKE_CURRENT_SOURCE_DIR}/debian/server/postinst;${CMAKE_CURRENT_SOURCE_DIR}/debian/server/prerm;${CMAKE_CURRENT_SOURCE_DIR}/debian/server/postrm")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_CATALOG_PACKAGE_NAME minired-catalog)
set(CPACK_COMPONENT_CATALOG_DESCRIPTION
    "Product catalog HTTP JSON API cached by minired\n minired-catalog serves products over SQLite with cache-aside, invalidation on\n write, stampede protection and a near cache, with minired as its cache tier.")
set(CPACK_DEBIAN_CATALOG_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_CATALOG_PACKAGE_RECOMMENDS "minired-server")
set(CPACK_DEBIAN_CATALOG_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_SOURCE_DIR}/debian/catalog/conffiles;${CMAKE_CURRENT_SOURCE_DIR}/debian/catalog/postinst;${CMAKE_CURRENT_SOURCE_DIR}/debian/catalog/prerm;${CMAKE_CURRENT_SOURCE_DIR}/debian/catalog/postrm")
set(CPACK_DEBIAN_CATALOG_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libminired-client-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "C++ client library for minired and Redis (development files)\n Asynchronous client on Asio with pipelining, pooling, RESP3 push and a\n tracking-based near cache, plus a blocking wrapper. find_package(minired)\n gives minired::client; pkg-config minired-client works too.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libasio-dev, libfmt-dev")

include(CPack)
