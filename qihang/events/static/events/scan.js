// The check-in page's camera scan (a phone at the door): reads the QR code on a graduate's
// ticket with jsQR (vendored, no CDN) and submits the code it holds, as if typed. Browsers
// open the camera only on HTTPS or localhost; without a camera the typed code still works.
(function () {
  "use strict";
  const button = document.getElementById("scan-start");
  const video = document.getElementById("scan-video");
  const message = document.getElementById("scan-message");
  const form = document.getElementById("checkin-form");
  if (!button || !video || !form || !window.jsQR) return;
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
  const input = form.querySelector("input[name=code]");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  let stream = null;
  button.hidden = false;

  function stop() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
  }

  function tick() {
    if (!stream) return;
    if (video.readyState === video.HAVE_ENOUGH_DATA) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = window.jsQR(image.data, image.width, image.height, {
        inversionAttempts: "dontInvert",
      });
      if (found && found.data) {
        input.value = found.data.trim();
        stop();
        form.submit();
        return;
      }
    }
    window.requestAnimationFrame(tick);
  }

  button.addEventListener("click", async () => {
    if (stream) {
      stop();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { facingMode: "environment" },
        audio: false,
      });
    } catch (error) {
      message.textContent = button.dataset.denied;
      return;
    }
    message.textContent = "";
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    window.requestAnimationFrame(tick);
  });
})();
