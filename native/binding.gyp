{
  "targets": [
    {
      "target_name": "kitgemm",
      "sources": ["kitgemm.cc"],
      "cflags_cc": ["-O3"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["KIT_ACCELERATE"],
          "xcode_settings": { "OTHER_LDFLAGS": ["-framework Accelerate"] }
        }, {
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/aarch64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}
