// Examples' picture output: an RGB raster written as PNG through stb_image_write (Debian libstb-dev).
#pragma once

// stb_image_write is a C single-header library; its implementation is compiled (static) into each
// example that includes this header and is not held to the project's warning flags.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#endif
#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#include <stb/stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

#include <cstddef>
#include <filesystem>
#include <vector>

namespace gdcert::examples {

struct rgb {
  unsigned char r, g, b;
};

/// A width × height RGB picture, (0, 0) at the top left.
class rgb_image {
public:
  rgb_image(int width, int height, rgb background = {255, 255, 255})
      : width_(width), height_(height), pixels_(static_cast<std::size_t>(width) * height * 3) {
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        put(x, y, background);
  }
  [[nodiscard]] int width() const noexcept { return width_; }
  [[nodiscard]] int height() const noexcept { return height_; }

  /// Sets one pixel; coordinates outside the picture are ignored.
  void put(int x, int y, rgb colour) {
    if (x < 0 || y < 0 || x >= width_ || y >= height_)
      return;
    unsigned char* pixel = &pixels_[(static_cast<std::size_t>(y) * width_ + x) * 3];
    pixel[0] = colour.r;
    pixel[1] = colour.g;
    pixel[2] = colour.b;
  }

  /// Writes the picture as PNG; false if the file could not be written.
  [[nodiscard]] bool write_png(const std::filesystem::path& file) const {
    return stbi_write_png(file.string().c_str(), width_, height_, 3, pixels_.data(), width_ * 3) !=
           0;
  }

private:
  int width_, height_;
  std::vector<unsigned char> pixels_;
};

} // namespace gdcert::examples
