package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/chromedp/chromedp"
)

func main() {
	base, pw, out := os.Args[1], os.Args[2], os.Args[3]
	actx, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath("/usr/bin/chromium"), chromedp.Headless, chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true), chromedp.UserDataDir(out+"/profile"))
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	ctx, cancel3 := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel3()
	must(chromedp.Do(ctx, chromedp.EmulateViewport(1400, 1000), chromedp.Navigate(base+"/today"),
		chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "demo"),
		chromedp.SendKeys(chromedp.ID("password"), pw)))
	must(chromedp.Do(ctx, chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.ID("board"))))
	for _, size := range [][2]int64{{1400, 1000}, {390, 844}} {
		for _, lang := range []string{"zh", "en"} {
			for _, page := range []string{"today", "sync"} {
				must(chromedp.Do(ctx, chromedp.EmulateViewport(size[0], size[1]),
					chromedp.Navigate(fmt.Sprintf("%s/%s?lang=%s", base, page, lang)), chromedp.Sleep(1500*time.Millisecond)))
				buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				must(err)
				name := fmt.Sprintf("%s/%s-%dx%d-%s.png", out, page, size[0], size[1], lang)
				must(os.WriteFile(name, buf, 0o644))
				fmt.Println(name)
			}
		}
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
