// A small blocking HTTP/1.1 client for the catalog's tests: one keep-alive connection,
// Content-Length bodies (what minired-catalog sends), and raw bytes for malformed input.
#pragma once

#include <chrono>
#include <map>
#include <string>

namespace minired::testing {

struct HttpResponse {
  int status = 0;  // 0: no response (connection failed or closed)
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(int port) : port_(port) {}
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Get(const std::string& path) { return Request("GET", path); }
  HttpResponse Request(const std::string& method, const std::string& path, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});
  // Sends bytes as they are and reads one response (status 0 if the server closed).
  HttpResponse Raw(const std::string& bytes);

 private:
  bool Connect();
  HttpResponse ReadResponse();
  int port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace minired::testing
