// A look ahead into the requests a client has already sent, without parsing them: the
// connection asks for the hash table lines of a pipeline's keys before it runs the
// first of them (Connection::PrefetchPipeline), so that the memory loads of sixteen
// lookups overlap instead of following each other.
#pragma once

#include <cstddef>
#include <string_view>

namespace minired {

// Fills keys[0..) with the second argument (the key, for most commands) of each
// complete RESP multibulk request among the first `max` at the front of `buffer` (of a
// script call with keys, EVAL, EVALSHA, FCALL and their _RO forms, each of its keys, up
// to `max` in all), and returns how many it found. A request of one argument gives none; the look ahead
// stops at the first inline request, malformed or incomplete one: the parser proper
// reports those when it gets there.
size_t PeekFirstKeys(std::string_view buffer, std::string_view* keys, size_t max);
// The same, and thirds[i] and fourths[i] the third and fourth arguments of the request
// keys[i] came from (empty where it has fewer): the field or member of HSET, HGET, SADD,
// SISMEMBER, ZSCORE (third) and ZADD, ZINCRBY (fourth). Either may be null.
// `requests`, where given, is set to how many requests the keys came from (a script
// call's keys can fill `max` before `max` requests).
size_t PeekFirstKeys(std::string_view buffer, std::string_view* keys, std::string_view* thirds,
                     std::string_view* fourths, size_t max, size_t* requests = nullptr);

}  // namespace minired
