{
  "targets": [
    {
      "target_name": "kitgemm",
      "sources": ["kitgemm.cc"],
      "cflags_cc": ["-O3", "-fopenmp-simd", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["KIT_ACCELERATE"],
          "xcode_settings": { "OTHER_LDFLAGS": ["-framework Accelerate"], "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fopenmp-simd", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"] }
        }, {
          "include_dirs": ["/usr/include/x86_64-linux-gnu/openblas-pthread", "/usr/include/aarch64-linux-gnu/openblas-pthread", "/usr/include/openblas"],
          "libraries": ["-lopenblas"]
        }]
      ]
    }
  ]
}
