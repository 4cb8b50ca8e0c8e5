{
  "targets": [
    {
      "target_name": "gradlab_native",
      "sources": [
        "src/addon.cc",
        "src/strided.cc",
        "src/threads.cc",
        "src/elementwise.cc",
        "src/reduce.cc",
        "src/gemm.cc",
        "src/smallgemm.cc",
        "src/conv.cc",
        "src/convgrad.cc",
        "src/pool.cc",
        "src/gather.cc",
        "src/optim.cc",
        "src/fusedmap.cc",
        "src/lapack.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-O3", "-march=native", "-fopenmp-simd", "-ffp-contract=off", "-fno-tree-loop-distribute-patterns", "<!@(node find-blas.cjs cflags)"],
      "libraries": ["<!@(node find-blas.cjs libs)"],
      "conditions": [
        ["OS=='mac'", {
          "defines": ["GRADLAB_ACCELERATE"],
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-mcpu=native"],
            "OTHER_LDFLAGS": ["-framework", "Accelerate"]
          }
        }]
      ]
    }
  ]
}
